"""networking/v1 (k8s.io.api.networking.v1)."""

from ..schema import package

pkg = package(
    "k8s.io.api.networking.v1",
    api_version="networking.k8s.io/v1",
    imports={"meta": "k8s.io.apimachinery.pkg.apis.meta.v1", "core": "k8s.io.api.core.v1"},
)
pkg.kinds("Ingress IngressClass NetworkPolicy IPAddress ServiceCIDR")

pkg.message("HTTPIngressPath", """
    1 path      string
    3 pathType  *string keep
    2 backend   IngressBackend keep
""")
pkg.message("HTTPIngressRuleValue", """
    1 paths  []HTTPIngressPath keep
""")
pkg.message("IPAddress", """
    1 metadata  meta.ObjectMeta
    2 spec      IPAddressSpec
""")
pkg.message("IPAddressSpec", """
    1 parentRef  *ParentReference
""")
pkg.message("IPBlock", """
    1 cidr    string keep
    2 except  []string
""")
pkg.message("Ingress", """
    1 metadata  meta.ObjectMeta
    2 spec      IngressSpec
    3 status    IngressStatus
""")
pkg.message("IngressBackend", """
    4 service   *IngressServiceBackend
    3 resource  *core.TypedLocalObjectReference
""")
pkg.message("IngressClass", """
    1 metadata  meta.ObjectMeta
    2 spec      IngressClassSpec
""")
pkg.message("IngressClassParametersReference", """
    1 apiGroup   *string  # NOTE: the proto field is named aPIGroup; the JSON name is apiGroup
    2 kind       string keep
    3 name       string keep
    4 scope      *string keep
    5 namespace  *string
""")
pkg.message("IngressClassSpec", """
    1 controller  string
    2 parameters  *IngressClassParametersReference
""")
pkg.message("IngressLoadBalancerIngress", """
    1 ip        string
    2 hostname  string
    4 ports     []IngressPortStatus
""")
pkg.message("IngressLoadBalancerStatus", """
    1 ingress  []IngressLoadBalancerIngress
""")
pkg.message("IngressPortStatus", """
    1 port      int32 keep
    2 protocol  string keep
    3 error     *string
""")
pkg.message("IngressRule", """
    1 host              string
    2 ingressRuleValue  IngressRuleValue inline
""")
pkg.message("IngressRuleValue", """
    1 http  *HTTPIngressRuleValue
""")
pkg.message("IngressServiceBackend", """
    1 name  string keep
    2 port  ServiceBackendPort
""")
pkg.message("IngressSpec", """
    4 ingressClassName  *string
    1 defaultBackend    *IngressBackend
    2 tls               []IngressTLS
    3 rules             []IngressRule
""")
pkg.message("IngressStatus", """
    1 loadBalancer  IngressLoadBalancerStatus
""")
pkg.message("IngressTLS", """
    1 hosts       []string
    2 secretName  string
""")
pkg.message("NetworkPolicy", """
    1 metadata  meta.ObjectMeta
    2 spec      NetworkPolicySpec
""")
pkg.message("NetworkPolicyEgressRule", """
    1 ports  []NetworkPolicyPort
    2 to     []NetworkPolicyPeer
""")
pkg.message("NetworkPolicyIngressRule", """
    1 ports  []NetworkPolicyPort
    2 from   []NetworkPolicyPeer
""")
pkg.message("NetworkPolicyPeer", """
    1 podSelector        *meta.LabelSelector
    2 namespaceSelector  *meta.LabelSelector
    3 ipBlock            *IPBlock
""")
pkg.message("NetworkPolicyPort", """
    1 protocol  *string
    2 port      *IntOrString
    3 endPort   *int32
""")
pkg.message("NetworkPolicySpec", """
    1 podSelector  meta.LabelSelector keep
    2 ingress      []NetworkPolicyIngressRule
    3 egress       []NetworkPolicyEgressRule
    4 policyTypes  []string
""")
pkg.message("ParentReference", """
    1 group      string
    2 resource   string
    3 namespace  string
    4 name       string
""")
pkg.message("ServiceBackendPort", """
    1 name    string
    2 number  int32
""")
pkg.message("ServiceCIDR", """
    1 metadata  meta.ObjectMeta
    2 spec      ServiceCIDRSpec
    3 status    ServiceCIDRStatus
""")
pkg.message("ServiceCIDRSpec", """
    1 cidrs  []string
""")
pkg.message("ServiceCIDRStatus", """
    1 conditions  []meta.Condition
""")
