"""meta/v1 (k8s.io.apimachinery.pkg.apis.meta.v1): object metadata, options, Status, discovery."""

from ..schema import REGISTRY, package

pkg = package(
    "k8s.io.apimachinery.pkg.apis.meta.v1",
    api_version="meta.k8s.io/v1",
)

# Registered under meta.k8s.io/v1 itself (Table has no protobuf form).
pkg.kinds("PartialObjectMetadata")
pkg.kinds("TableOptions", lists=False)

# Time, MicroTime, Duration, FieldsV1 and Timestamp are special types of the schema
# language and get no message here.

pkg.message("APIGroup", """
    1 name                        string keep
    2 versions                    []GroupVersionForDiscovery keep
    3 preferredVersion            GroupVersionForDiscovery
    4 serverAddressByClientCIDRs  []ServerAddressByClientCIDR
""")

pkg.message("APIGroupList", """
    1 groups  []APIGroup keep
""")

pkg.message("APIResource", """
    1  name                string keep
    6  singularName        string keep
    2  namespaced          bool keep
    8  group               string
    9  version             string
    3  kind                string keep
    4  verbs               Verbs keep
    5  shortNames          []string
    7  categories          []string
    10 storageVersionHash  string
""")

pkg.message("APIResourceList", """
    1 groupVersion  string keep
    2 resources     []APIResource keep
""")

pkg.message("APIVersions", """
    1 versions                    []string keep
    2 serverAddressByClientCIDRs  []ServerAddressByClientCIDR keep
""")

pkg.message("ApplyOptions", """
    1 dryRun        []string
    2 force         bool keep
    3 fieldManager  string keep
""")

pkg.message("Condition", """
    1 type                string keep
    2 status              string keep
    3 observedGeneration  int64
    4 lastTransitionTime  Time keep
    5 reason              string keep
    6 message             string keep
""")

pkg.message("CreateOptions", """
    1 dryRun           []string
    3 fieldManager     string
    4 fieldValidation  string
""")

pkg.message("DeleteOptions", """
    1 gracePeriodSeconds                                *int64
    2 preconditions                                     *Preconditions
    3 orphanDependents                                  *bool
    4 propagationPolicy                                 *string
    5 dryRun                                            []string
    6 ignoreStoreReadErrorWithClusterBreakingPotential  *bool
""")

pkg.message("FieldSelectorRequirement", """
    1 key       string keep
    2 operator  string keep
    3 values    []string
""")

pkg.message("GetOptions", """
    1 resourceVersion  string
""")

pkg.message("GroupKind", """
    1 group  string keep
    2 kind   string keep
""")

pkg.message("GroupResource", """
    1 group     string keep
    2 resource  string keep
""")

# NOTE: Go's GroupVersion marshals to JSON as the single string "group/version"; no
# field of any kind embeds it, so only its wire shape is recorded here.
pkg.message("GroupVersion", """
    1 group    string keep
    2 version  string keep
""")

pkg.message("GroupVersionForDiscovery", """
    1 groupVersion  string keep
    2 version       string keep
""")

pkg.message("GroupVersionKind", """
    1 group    string keep
    2 version  string keep
    3 kind     string keep
""")

pkg.message("GroupVersionResource", """
    1 group     string keep
    2 version   string keep
    3 resource  string keep
""")

pkg.message("LabelSelector", """
    1 matchLabels       map[string]string
    2 matchExpressions  []LabelSelectorRequirement
""")

pkg.message("LabelSelectorRequirement", """
    1 key       string keep
    2 operator  string keep
    3 values    []string
""")

pkg.message("List", """
    1 metadata  ListMeta
    2 items     []RawExtension keep
""")

pkg.message("ListMeta", """
    1 selfLink            string
    2 resourceVersion     string
    3 continue            string
    4 remainingItemCount  *int64
    5 shardInfo           *ShardInfo
""")

pkg.message("ListOptions", """
    1  labelSelector         string
    2  fieldSelector         string
    3  watch                 bool
    9  allowWatchBookmarks   bool
    4  resourceVersion       string
    10 resourceVersionMatch  string
    5  timeoutSeconds        *int64
    7  limit                 int64
    8  continue              string
    11 sendInitialEvents     *bool
    15 shardSelector         string
""")

pkg.message("ManagedFieldsEntry", """
    1 manager      string
    2 operation    string
    3 apiVersion   string
    4 time         *Time
    6 fieldsType   string
    7 fieldsV1     *FieldsV1
    8 subresource  string
""")

pkg.message("ObjectMeta", """
    1  name                        string
    2  generateName                string
    3  namespace                   string
    4  selfLink                    string
    5  uid                         string
    6  resourceVersion             string
    7  generation                  int64
    8  creationTimestamp           Time omitzero
    9  deletionTimestamp           *Time
    10 deletionGracePeriodSeconds  *int64
    11 labels                      map[string]string
    12 annotations                 map[string]string
    13 ownerReferences             []OwnerReference
    14 finalizers                  []string
    17 managedFields               []ManagedFieldsEntry
""")

pkg.message("OwnerReference", """
    5 apiVersion          string keep
    1 kind                string keep
    3 name                string keep
    4 uid                 string keep
    6 controller          *bool
    7 blockOwnerDeletion  *bool
""")

pkg.message("PartialObjectMetadata", """
    1 metadata  ObjectMeta
""")

# PartialObjectMetadataList is generated by the registry (pkg.kinds above).

pkg.message("Patch", "")

pkg.message("PatchOptions", """
    1 dryRun           []string
    2 force            *bool
    3 fieldManager     string
    4 fieldValidation  string
""")

pkg.message("Preconditions", """
    1 uid              *string
    2 resourceVersion  *string
""")

pkg.message("RootPaths", """
    1 paths  []string keep
""")

pkg.message("ServerAddressByClientCIDR", """
    1 clientCIDR     string keep
    2 serverAddress  string keep
""")

pkg.message("ShardInfo", """
    1 selector  string keep
""")

pkg.message("Status", """
    1 metadata  ListMeta
    2 status    string
    3 message   string
    4 reason    string
    5 details   *StatusDetails
    6 code      int32
""")

pkg.message("StatusCause", """
    1 reason   string
    2 message  string
    3 field    string
""")

pkg.message("StatusDetails", """
    1 name               string
    2 group              string
    3 kind               string
    6 uid                string
    4 causes             []StatusCause
    5 retryAfterSeconds  int32
""")

pkg.message("TableOptions", """
    1 includeObject  string
""")

pkg.message("TypeMeta", """
    1 kind        string
    2 apiVersion  string
""")

pkg.message("UpdateOptions", """
    1 dryRun           []string
    2 fieldManager     string
    3 fieldValidation  string
""")

# Verbs is a Go named []string: a wrapper message on the wire, a bare list in JSON.
pkg.slice_message("Verbs", "string")

pkg.message("WatchEvent", """
    1 type    string keep
    2 object  RawExtension keep
""")

# Kinds that metav1.AddToGroupVersion registers into every group version: WatchEvent,
# the option types, and the unversioned Status and discovery documents.
REGISTRY.any_version_kinds(
    pkg,
    "Status WatchEvent DeleteOptions ListOptions GetOptions CreateOptions PatchOptions"
    " UpdateOptions APIVersions APIGroupList APIGroup APIResourceList",
)
