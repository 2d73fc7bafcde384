"""storage/v1 (k8s.io.api.storage.v1)."""

from ..schema import package

pkg = package(
    "k8s.io.api.storage.v1",
    api_version="storage.k8s.io/v1",
    imports={"meta": "k8s.io.apimachinery.pkg.apis.meta.v1", "core": "k8s.io.api.core.v1"},
)
pkg.kinds(
    "StorageClass VolumeAttachment CSIDriver CSINode CSIStorageCapacity VolumeAttributesClass"
)

pkg.message("CSIDriver", """
    1 metadata  meta.ObjectMeta
    2 spec      CSIDriverSpec keep
""")
pkg.message("CSIDriverSpec", """
    1  attachRequired                      *bool
    2  podInfoOnMount                      *bool
    3  volumeLifecycleModes                []string
    4  storageCapacity                     *bool
    5  fsGroupPolicy                       *string
    6  tokenRequests                       []TokenRequest
    7  requiresRepublish                   *bool
    8  seLinuxMount                        *bool
    9  nodeAllocatableUpdatePeriodSeconds  *int64
    10 serviceAccountTokenInSecrets        *bool
    11 preventPodSchedulingIfMissing       *bool
""")
pkg.message("CSINode", """
    1 metadata  meta.ObjectMeta
    2 spec      CSINodeSpec keep
    3 status    *CSINodeStatus
""")
pkg.message("CSINodeDriver", """
    1 name          string keep
    2 nodeID        string keep
    3 topologyKeys  []string keep
    4 allocatable   *VolumeNodeResources
""")
pkg.message("CSINodeSpec", """
    1 drivers  []CSINodeDriver keep
""")
# NOTE: the Go shapes of CSINodeStatus, StorageHealth and StorageHealthCondition
# (pointer or value, omitempty or not) follow generated.proto's +optional/+required
# comments; only the field numbers and proto types are certain.
pkg.message("CSINodeStatus", """
    1 storageHealth  []StorageHealth
""")
pkg.message("CSIStorageCapacity", """
    1 metadata           meta.ObjectMeta
    2 nodeTopology       *meta.LabelSelector
    3 storageClassName   string keep
    4 capacity           *Quantity
    5 maximumVolumeSize  *Quantity
""")
pkg.message("StorageClass", """
    1 metadata              meta.ObjectMeta
    2 provisioner           string keep
    3 parameters            map[string]string
    4 reclaimPolicy         *string
    5 mountOptions          []string
    6 allowVolumeExpansion  *bool
    7 volumeBindingMode     *string
    8 allowedTopologies     []core.TopologySelectorTerm
""")
pkg.message("StorageHealth", """
    1 name              string keep
    2 healthConditions  []StorageHealthCondition
""")
pkg.message("StorageHealthCondition", """
    1 status              string keep
    2 reason              string keep
    3 message             string
    4 accessMode          *string
    5 volumeMode          *string
    6 lastTransitionTime  Time
""")
pkg.message("TokenRequest", """
    1 audience           string keep
    2 expirationSeconds  *int64
""")
pkg.message("VolumeAttachment", """
    1 metadata  meta.ObjectMeta
    2 spec      VolumeAttachmentSpec keep
    3 status    VolumeAttachmentStatus
""")
pkg.message("VolumeAttachmentSource", """
    1 persistentVolumeName  *string
    2 inlineVolumeSpec      *core.PersistentVolumeSpec
""")
pkg.message("VolumeAttachmentSpec", """
    1 attacher  string keep
    2 source    VolumeAttachmentSource keep
    3 nodeName  string keep
""")
pkg.message("VolumeAttachmentStatus", """
    1 attached            bool keep
    2 attachmentMetadata  map[string]string
    3 attachError         *VolumeError
    4 detachError         *VolumeError
""")
pkg.message("VolumeAttributesClass", """
    1 metadata    meta.ObjectMeta
    2 driverName  string keep
    3 parameters  map[string]string
""")
pkg.message("VolumeError", """
    1 time       Time
    2 message    string
    3 errorCode  *int32
""")
pkg.message("VolumeNodeResources", """
    1 count  *int32
""")
