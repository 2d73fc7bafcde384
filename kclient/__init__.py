"""kclient: Kubernetes client-go's machinery for asyncio.

The curated public API. Codecs are importable without the network stack; the other
parts load when first used::

    from kclient import decode, encode, StreamDecoder           # codecs
    from kclient.rest import RESTClient, Config                 # the REST client
    from kclient.informers import SharedInformerFactory         # shared informers
    from kclient.workqueue import RateLimitingQueue             # work queues
    from kclient.controller import Controller                   # the reconcile loop
    from kclient.testing import APIServer                       # embedded API server
"""

from __future__ import annotations

from .serializers import (
    JSON,
    PROTOBUF,
    YAML,
    DecodeError,
    EncodeError,
    StreamDecoder,
    decode,
    decode_all,
    encode,
    encode_all,
)

__version__ = "0.1.0"

__all__ = [
    "JSON",
    "YAML",
    "PROTOBUF",
    "DecodeError",
    "EncodeError",
    "StreamDecoder",
    "decode",
    "decode_all",
    "encode",
    "encode_all",
    "__version__",
]
