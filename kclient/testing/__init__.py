"""Run and test everything without a cluster: the embedded API server, simulated nodes
and fault injection.

* :class:`APIServer`: an in-memory Kubernetes API server on loopback, with the list,
  watch, patch, delete and subresource semantics clients depend on;
* :class:`SimulatedNodes`: nodes that register, heartbeat and run the pods bound to
  them, in the spirit of kwok;
* :class:`FaultInjector`: deterministic, seeded misbehaviour (429, 500, 503, latency,
  cut responses, dropped watches, forced 410s);
* :class:`ServerThread`: the server on an event loop of its own thread, for code that
  is not async.

``python -m kclient serve`` runs the server standalone (see :mod:`.cli`).
"""

from .errors import APIError
from .faults import FaultInjector
from .nodes import SimulatedNodes
from .server import APIServer
from .thread import ServerThread

__all__ = ["APIError", "APIServer", "FaultInjector", "ServerThread", "SimulatedNodes"]
