"""Reusable controller parts built on informers and work queues.

* :class:`Controller` / :class:`Result`: N workers reconciling keys from a
  rate-limited queue (the loop of every client-go controller).
"""

from .loop import Controller, Reconcile, Result

__all__ = ["Controller", "Reconcile", "Result"]
