"""discovery/v1 (k8s.io.api.discovery.v1)."""

from ..schema import package

pkg = package(
    "k8s.io.api.discovery.v1",
    api_version="discovery.k8s.io/v1",
    imports={"meta": "k8s.io.apimachinery.pkg.apis.meta.v1", "core": "k8s.io.api.core.v1"},
)
pkg.kinds("EndpointSlice")

pkg.message("Endpoint", """
    1 addresses           []string keep
    2 conditions          EndpointConditions
    3 hostname            *string
    4 targetRef           *core.ObjectReference
    5 deprecatedTopology  map[string]string
    6 nodeName            *string
    7 zone                *string
    8 hints               *EndpointHints
""")
pkg.message("EndpointConditions", """
    1 ready        *bool
    2 serving      *bool
    3 terminating  *bool
""")
pkg.message("EndpointHints", """
    1 forZones  []ForZone
    2 forNodes  []ForNode
""")
pkg.message("EndpointPort", """
    1 name         *string
    2 protocol     *string
    3 port         *int32
    4 appProtocol  *string
""")
pkg.message("EndpointSlice", """
    1 metadata     meta.ObjectMeta
    4 addressType  string keep
    2 endpoints    []Endpoint keep
    3 ports        []EndpointPort keep
""")
pkg.message("ForNode", """
    1 name  string keep
""")
pkg.message("ForZone", """
    1 name  string keep
""")
