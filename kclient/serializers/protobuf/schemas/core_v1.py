"""core/v1 (k8s.io.api.core.v1), messages A to N; the rest is in core_v1_b."""

from ..schema import package

pkg = package(
    "k8s.io.api.core.v1",
    api_version="v1",
    imports={"meta": "k8s.io.apimachinery.pkg.apis.meta.v1"},
)

# Every kind the core group registers under v1; a <Kind>List exists for the first set.
pkg.kinds(
    "Pod PodTemplate ReplicationController Service Endpoints Node Event LimitRange"
    " ResourceQuota Namespace Secret ServiceAccount PersistentVolume"
    " PersistentVolumeClaim ComponentStatus ConfigMap"
)
pkg.kinds(
    "PodStatusResult ServiceProxyOptions NodeConfigSource NodeProxyOptions Binding List"
    " PodAttachOptions PodLogOptions PodExecOptions PodPortForwardOptions PodProxyOptions"
    " SerializedReference RangeAllocation",
    lists=False,
)

pkg.message("AWSElasticBlockStoreVolumeSource", """
    1 volumeID   string keep
    2 fsType     string
    3 partition  int32
    4 readOnly   bool
""")

pkg.message("Affinity", """
    1 nodeAffinity     *NodeAffinity
    2 podAffinity      *PodAffinity
    3 podAntiAffinity  *PodAntiAffinity
""")

pkg.message("AppArmorProfile", """
    1 type              string keep
    2 localhostProfile  *string
""")

pkg.message("AttachedVolume", """
    1 name        string keep
    2 devicePath  string keep
""")

pkg.message("AvoidPods", """
    1 preferAvoidPods  []PreferAvoidPodsEntry
""")

pkg.message("AzureDiskVolumeSource", """
    1 diskName     string keep
    2 diskURI      string keep
    3 cachingMode  *string
    4 fsType       *string
    5 readOnly     *bool
    6 kind         *string
""")

pkg.message("AzureFilePersistentVolumeSource", """
    1 secretName       string keep
    2 shareName        string keep
    3 readOnly         bool
    4 secretNamespace  *string keep
""")

pkg.message("AzureFileVolumeSource", """
    1 secretName  string keep
    2 shareName   string keep
    3 readOnly    bool
""")

pkg.message("Binding", """
    1 metadata  meta.ObjectMeta
    2 target    ObjectReference keep
""")

pkg.message("CSIPersistentVolumeSource", """
    1  driver                      string keep
    2  volumeHandle                string keep
    3  readOnly                    bool
    4  fsType                      string
    5  volumeAttributes            map[string]string
    6  controllerPublishSecretRef  *SecretReference
    7  nodeStageSecretRef          *SecretReference
    8  nodePublishSecretRef        *SecretReference
    9  controllerExpandSecretRef   *SecretReference
    10 nodeExpandSecretRef         *SecretReference
""")

pkg.message("CSIVolumeSource", """
    1 driver                string keep
    2 readOnly              *bool
    3 fsType                *string
    4 volumeAttributes      map[string]string
    5 nodePublishSecretRef  *LocalObjectReference
""")

pkg.message("Capabilities", """
    1 add   []string
    2 drop  []string
""")

pkg.message("CephFSPersistentVolumeSource", """
    1 monitors    []string keep
    2 path        string
    3 user        string
    4 secretFile  string
    5 secretRef   *SecretReference
    6 readOnly    bool
""")

pkg.message("CephFSVolumeSource", """
    1 monitors    []string keep
    2 path        string
    3 user        string
    4 secretFile  string
    5 secretRef   *LocalObjectReference
    6 readOnly    bool
""")

pkg.message("CinderPersistentVolumeSource", """
    1 volumeID   string keep
    2 fsType     string
    3 readOnly   bool
    4 secretRef  *SecretReference
""")

pkg.message("CinderVolumeSource", """
    1 volumeID   string keep
    2 fsType     string
    3 readOnly   bool
    4 secretRef  *LocalObjectReference
""")

pkg.message("ClientIPConfig", """
    1 timeoutSeconds  *int32
""")

pkg.message("ClusterTrustBundleProjection", """
    1 name           *string
    2 signerName     *string
    3 labelSelector  *meta.LabelSelector
    4 path           string keep
    5 optional       *bool
    6 user           *int64               # NOTE: recent field; Go pointer and width assumed
""")

pkg.message("ComponentCondition", """
    1 type     string keep
    2 status   string keep
    3 message  string
    4 error    string
""")

pkg.message("ComponentStatus", """
    1 metadata    meta.ObjectMeta
    2 conditions  []ComponentCondition
""")

pkg.message("ConfigMap", """
    1 metadata    meta.ObjectMeta
    2 data        map[string]string
    3 binaryData  map[string]bytes
    4 immutable   *bool
""")

pkg.message("ConfigMapEnvSource", """
    1 localObjectReference  LocalObjectReference inline
    2 optional              *bool
""")

pkg.message("ConfigMapKeySelector", """
    1 localObjectReference  LocalObjectReference inline
    2 key                   string keep
    3 optional              *bool
""")

pkg.message("ConfigMapNodeConfigSource", """
    1 namespace         string keep
    2 name              string keep
    3 uid               string
    4 resourceVersion   string
    5 kubeletConfigKey  string keep
""")

pkg.message("ConfigMapProjection", """
    1 localObjectReference  LocalObjectReference inline
    2 items                 []KeyToPath
    4 optional              *bool
""")

pkg.message("ConfigMapVolumeSource", """
    1 localObjectReference  LocalObjectReference inline
    2 items                 []KeyToPath
    3 defaultMode           *int32
    4 optional              *bool
    5 defaultUser           *int64                       # NOTE: recent field; Go pointer and width assumed
""")

pkg.message("Container", """
    1  name                      string keep
    2  image                     string
    3  command                   []string
    4  args                      []string
    5  workingDir                string
    6  ports                     []ContainerPort
    7  env                       []EnvVar
    8  resources                 ResourceRequirements
    9  volumeMounts              []VolumeMount
    10 livenessProbe             *Probe
    11 readinessProbe            *Probe
    12 lifecycle                 *Lifecycle
    13 terminationMessagePath    string
    14 imagePullPolicy           string
    15 securityContext           *SecurityContext
    16 stdin                     bool
    17 stdinOnce                 bool
    18 tty                       bool
    19 envFrom                   []EnvFromSource
    20 terminationMessagePolicy  string
    21 volumeDevices             []VolumeDevice
    22 startupProbe              *Probe
    23 resizePolicy              []ContainerResizePolicy
    24 restartPolicy             *string
    25 restartPolicyRules        []ContainerRestartRule
""")

pkg.message("ContainerExtendedResourceRequest", """
    1 containerName  string keep
    2 resourceName   string keep
    3 requestName    string keep
""")

pkg.message("ContainerImage", """
    1 names      []string keep
    2 sizeBytes  int64
""")

pkg.message("ContainerPort", """
    1 name           string
    2 hostPort       int32
    3 containerPort  int32 keep
    4 protocol       string
    5 hostIP         string
""")

pkg.message("ContainerResizePolicy", """
    1 resourceName   string keep
    2 restartPolicy  string keep
""")

pkg.message("ContainerRestartRule", """
    1 action     string
    2 exitCodes  *ContainerRestartRuleOnExitCodes
""")

pkg.message("ContainerRestartRuleOnExitCodes", """
    1 operator  string
    2 values    []int32
""")

pkg.message("ContainerState", """
    1 waiting     *ContainerStateWaiting
    2 running     *ContainerStateRunning
    3 terminated  *ContainerStateTerminated
""")

pkg.message("ContainerStateRunning", """
    1 startedAt  Time
""")

pkg.message("ContainerStateTerminated", """
    1 exitCode     int32 keep
    2 signal       int32
    3 reason       string
    4 message      string
    5 startedAt    Time
    6 finishedAt   Time
    7 containerID  string
""")

pkg.message("ContainerStateWaiting", """
    1 reason   string
    2 message  string
""")

pkg.message("ContainerStatus", """
    1  name                      string keep
    2  state                     ContainerState
    3  lastState                 ContainerState
    4  ready                     bool keep
    5  restartCount              int32 keep
    6  image                     string keep
    7  imageID                   string keep
    8  containerID               string
    9  started                   *bool
    10 allocatedResources        map[string]Quantity
    11 resources                 *ResourceRequirements
    12 volumeMounts              []VolumeMountStatus
    13 user                      *ContainerUser
    14 allocatedResourcesStatus  []ResourceStatus
    15 stopSignal                *string
""")

pkg.message("ContainerUser", """
    1 linux  *LinuxContainerUser
""")

pkg.message("DaemonEndpoint", """
    1 Port  int32 keep
""")

pkg.message("DownwardAPIProjection", """
    1 items  []DownwardAPIVolumeFile
""")

pkg.message("DownwardAPIVolumeFile", """
    1 path              string keep
    2 fieldRef          *ObjectFieldSelector
    3 resourceFieldRef  *ResourceFieldSelector
    4 mode              *int32
    5 user              *int64                  # NOTE: recent field; Go pointer and width assumed
""")

pkg.message("DownwardAPIVolumeSource", """
    1 items        []DownwardAPIVolumeFile
    2 defaultMode  *int32
    3 defaultUser  *int64                   # NOTE: recent field; Go pointer and width assumed
""")

pkg.message("EmptyDirVolumeSource", """
    1 medium     string
    2 sizeLimit  *Quantity
    3 mode       *int32     # NOTE: recent field; Go pointer and width assumed
""")

pkg.message("EndpointAddress", """
    1 ip         string keep
    2 targetRef  *ObjectReference
    3 hostname   string
    4 nodeName   *string
""")

pkg.message("EndpointPort", """
    1 name         string
    2 port         int32 keep
    3 protocol     string
    4 appProtocol  *string
""")

pkg.message("EndpointSubset", """
    1 addresses          []EndpointAddress
    2 notReadyAddresses  []EndpointAddress
    3 ports              []EndpointPort
""")

pkg.message("Endpoints", """
    1 metadata  meta.ObjectMeta
    2 subsets   []EndpointSubset
""")

pkg.message("EnvFromSource", """
    1 prefix        string
    2 configMapRef  *ConfigMapEnvSource
    3 secretRef     *SecretEnvSource
""")

pkg.message("EnvVar", """
    1 name       string keep
    2 value      string
    3 valueFrom  *EnvVarSource
""")

pkg.message("EnvVarSource", """
    1 fieldRef          *ObjectFieldSelector
    2 resourceFieldRef  *ResourceFieldSelector
    3 configMapKeyRef   *ConfigMapKeySelector
    4 secretKeyRef      *SecretKeySelector
    5 fileKeyRef        *FileKeySelector
""")

pkg.message("EphemeralContainer", """
    1 ephemeralContainerCommon  EphemeralContainerCommon inline
    2 targetContainerName       string
""")

pkg.message("EphemeralContainerCommon", """
    1  name                      string keep
    2  image                     string
    3  command                   []string
    4  args                      []string
    5  workingDir                string
    6  ports                     []ContainerPort
    7  env                       []EnvVar
    8  resources                 ResourceRequirements
    9  volumeMounts              []VolumeMount
    10 livenessProbe             *Probe
    11 readinessProbe            *Probe
    12 lifecycle                 *Lifecycle
    13 terminationMessagePath    string
    14 imagePullPolicy           string
    15 securityContext           *SecurityContext
    16 stdin                     bool
    17 stdinOnce                 bool
    18 tty                       bool
    19 envFrom                   []EnvFromSource
    20 terminationMessagePolicy  string
    21 volumeDevices             []VolumeDevice
    22 startupProbe              *Probe
    23 resizePolicy              []ContainerResizePolicy
    24 restartPolicy             *string
    25 restartPolicyRules        []ContainerRestartRule
""")

pkg.message("EphemeralVolumeSource", """
    1 volumeClaimTemplate  *PersistentVolumeClaimTemplate
""")

pkg.message("Event", """
    1  metadata            meta.ObjectMeta keep
    2  involvedObject      ObjectReference keep
    3  reason              string
    4  message             string
    5  source              EventSource
    6  firstTimestamp      Time
    7  lastTimestamp       Time
    8  count               int32
    9  type                string
    10 eventTime           MicroTime
    11 series              *EventSeries
    12 action              string
    13 related             *ObjectReference
    14 reportingComponent  string keep
    15 reportingInstance   string keep
""")

pkg.message("EventSeries", """
    1 count             int32
    2 lastObservedTime  MicroTime
""")

pkg.message("EventSource", """
    1 component  string
    2 host       string
""")

pkg.message("EvictionResponder", """
    1 name      string keep  # NOTE: recent message (EvictionRequestAPI)
    2 priority  *int32       # NOTE: int32 per OpenAPI; pointer and omitempty assumed
""")

pkg.message("ExecAction", """
    1 command  []string
""")

pkg.message("FCVolumeSource", """
    1 targetWWNs  []string
    2 lun         *int32
    3 fsType      string
    4 readOnly    bool
    5 wwids       []string
""")

pkg.message("FileKeySelector", """
    1 volumeName  string keep
    2 path        string keep
    3 key         string keep
    4 optional    *bool
""")

pkg.message("FlexPersistentVolumeSource", """
    1 driver     string keep
    2 fsType     string
    3 secretRef  *SecretReference
    4 readOnly   bool
    5 options    map[string]string
""")

pkg.message("FlexVolumeSource", """
    1 driver     string keep
    2 fsType     string
    3 secretRef  *LocalObjectReference
    4 readOnly   bool
    5 options    map[string]string
""")

pkg.message("FlockerVolumeSource", """
    1 datasetName  string
    2 datasetUUID  string
""")

pkg.message("GCEPersistentDiskVolumeSource", """
    1 pdName     string keep
    2 fsType     string
    3 partition  int32
    4 readOnly   bool
""")

pkg.message("GRPCAction", """
    1 port     int32 keep
    2 service  *string keep
    3 mode     *string       # NOTE: recent field; Go pointer assumed
""")

pkg.message("GitRepoVolumeSource", """
    1 repository  string keep
    2 revision    string
    3 directory   string
""")

pkg.message("GlusterfsPersistentVolumeSource", """
    1 endpoints           string keep
    2 path                string keep
    3 readOnly            bool
    4 endpointsNamespace  *string
""")

pkg.message("GlusterfsVolumeSource", """
    1 endpoints  string keep
    2 path       string keep
    3 readOnly   bool
""")

pkg.message("HTTPGetAction", """
    1 path         string
    2 port         IntOrString keep
    3 host         string
    4 scheme       string
    5 httpHeaders  []HTTPHeader
    6 protocol     *string           # NOTE: recent field; Go pointer assumed
""")

pkg.message("HTTPHeader", """
    1 name   string keep
    2 value  string keep
""")

pkg.message("HostAlias", """
    1 ip         string keep
    2 hostnames  []string
""")

pkg.message("HostIP", """
    1 ip  string keep
""")

pkg.message("HostPathVolumeSource", """
    1 path  string keep
    2 type  *string
""")

pkg.message("ISCSIPersistentVolumeSource", """
    1  targetPortal       string keep
    2  iqn                string keep
    3  lun                int32 keep
    4  iscsiInterface     string
    5  fsType             string
    6  readOnly           bool
    7  portals            []string
    8  chapAuthDiscovery  bool
    10 secretRef          *SecretReference
    11 chapAuthSession    bool
    12 initiatorName      *string
""")

pkg.message("ISCSIVolumeSource", """
    1  targetPortal       string keep
    2  iqn                string keep
    3  lun                int32 keep
    4  iscsiInterface     string
    5  fsType             string
    6  readOnly           bool
    7  portals            []string
    8  chapAuthDiscovery  bool
    10 secretRef          *LocalObjectReference
    11 chapAuthSession    bool
    12 initiatorName      *string
""")

pkg.message("ImageVolumeSource", """
    1 reference   string
    2 pullPolicy  string
""")

pkg.message("ImageVolumeStatus", """
    1 imageRef  string
""")

pkg.message("KeyToPath", """
    1 key   string keep
    2 path  string keep
    3 mode  *int32
    4 user  *int64       # NOTE: recent field; Go pointer and width assumed
""")

pkg.message("Lifecycle", """
    1 postStart   *LifecycleHandler
    2 preStop     *LifecycleHandler
    3 stopSignal  *string
""")

pkg.message("LifecycleHandler", """
    1 exec       *ExecAction
    2 httpGet    *HTTPGetAction
    3 tcpSocket  *TCPSocketAction
    4 sleep      *SleepAction
""")

pkg.message("LimitRange", """
    1 metadata  meta.ObjectMeta
    2 spec      LimitRangeSpec
""")

pkg.message("LimitRangeItem", """
    1 type                  string keep
    2 max                   map[string]Quantity
    3 min                   map[string]Quantity
    4 default               map[string]Quantity
    5 defaultRequest        map[string]Quantity
    6 maxLimitRequestRatio  map[string]Quantity
""")

pkg.message("LimitRangeSpec", """
    1 limits  []LimitRangeItem keep
""")

pkg.message("LinuxContainerUser", """
    1 uid                 int64 keep
    2 gid                 int64 keep
    3 supplementalGroups  []int64
""")

pkg.message("List", """
    1 metadata  meta.ListMeta
    2 items     []RawExtension keep
""")

pkg.message("LoadBalancerIngress", """
    1 ip        string
    2 hostname  string
    3 ipMode    *string
    4 ports     []PortStatus
""")

pkg.message("LoadBalancerStatus", """
    1 ingress  []LoadBalancerIngress
""")

pkg.message("LocalObjectReference", """
    1 name  string
""")

pkg.message("LocalVolumeSource", """
    1 path    string keep
    2 fsType  *string
""")

pkg.message("ModifyVolumeStatus", """
    1 targetVolumeAttributesClassName  string
    2 status                           string keep
""")

pkg.message("NFSVolumeSource", """
    1 server    string keep
    2 path      string keep
    3 readOnly  bool
""")

pkg.message("Namespace", """
    1 metadata  meta.ObjectMeta
    2 spec      NamespaceSpec
    3 status    NamespaceStatus
""")

pkg.message("NamespaceCondition", """
    1 type                string keep
    2 status              string keep
    4 lastTransitionTime  Time
    5 reason              string
    6 message             string
""")

pkg.message("NamespaceSpec", """
    1 finalizers  []string
""")

pkg.message("NamespaceStatus", """
    1 phase       string
    2 conditions  []NamespaceCondition
""")

pkg.message("Node", """
    1 metadata  meta.ObjectMeta
    2 spec      NodeSpec
    3 status    NodeStatus
""")

pkg.message("NodeAddress", """
    1 type     string keep
    2 address  string keep
""")

pkg.message("NodeAffinity", """
    1 requiredDuringSchedulingIgnoredDuringExecution   *NodeSelector
    2 preferredDuringSchedulingIgnoredDuringExecution  []PreferredSchedulingTerm
""")

pkg.message("NodeAllocatableMappedResources", """
    1 name      string keep     # NOTE: recent message (KEP-5517)
    2 quantity  *Quantity keep
""")

pkg.message("NodeAllocatableOverheadResources", """
    1 name          string keep  # NOTE: recent message (KEP-5517)
    2 perPod        *Quantity
    3 perContainer  *Quantity
""")

pkg.message("NodeAllocatableResourceClaimStatus", """
    1 resourceClaimName  string keep
    2 containers         []string
    4 mapping            []NodeAllocatableMappedResources
    5 overhead           []NodeAllocatableOverheadResources
""")

pkg.message("NodeCondition", """
    1 type                string keep
    2 status              string keep
    3 lastHeartbeatTime   Time
    4 lastTransitionTime  Time
    5 reason              string
    6 message             string
""")

pkg.message("NodeConfigSource", """
    2 configMap  *ConfigMapNodeConfigSource
""")

pkg.message("NodeConfigStatus", """
    1 assigned       *NodeConfigSource
    2 active         *NodeConfigSource
    3 lastKnownGood  *NodeConfigSource
    4 error          string
""")

pkg.message("NodeDaemonEndpoints", """
    1 kubeletEndpoint  DaemonEndpoint
""")

pkg.message("NodeFeatures", """
    1 supplementalGroupsPolicy  *bool
""")

pkg.message("NodePodPreemptionPolicy", """
    1 disableResizePreemption  []string  # NOTE: recent field (KEP-5836)
""")

pkg.message("NodeProxyOptions", """
    1 path  string
""")

pkg.message("NodeRuntimeHandler", """
    1 name      string keep
    2 features  *NodeRuntimeHandlerFeatures
""")

pkg.message("NodeRuntimeHandlerFeatures", """
    1 recursiveReadOnlyMounts  *bool
    2 userNamespaces           *bool
""")

pkg.message("NodeSelector", """
    1 nodeSelectorTerms  []NodeSelectorTerm keep
""")

pkg.message("NodeSelectorRequirement", """
    1 key       string keep
    2 operator  string keep
    3 values    []string
""")

pkg.message("NodeSelectorTerm", """
    1 matchExpressions  []NodeSelectorRequirement
    2 matchFields       []NodeSelectorRequirement
""")

pkg.message("NodeSpec", """
    1 podCIDR              string
    2 externalID           string
    3 providerID           string
    4 unschedulable        bool
    5 taints               []Taint
    6 configSource         *NodeConfigSource
    7 podCIDRs             []string
    8 podPreemptionPolicy  *NodePodPreemptionPolicy  # NOTE: recent field (KEP-5836)
""")

pkg.message("NodeStatus", """
    1  capacity          map[string]Quantity
    2  allocatable       map[string]Quantity
    3  phase             string
    4  conditions        []NodeCondition
    5  addresses         []NodeAddress
    6  daemonEndpoints   NodeDaemonEndpoints
    7  nodeInfo          NodeSystemInfo
    8  images            []ContainerImage
    9  volumesInUse      []string
    10 volumesAttached   []AttachedVolume
    11 config            *NodeConfigStatus
    12 runtimeHandlers   []NodeRuntimeHandler
    13 features          *NodeFeatures
    14 declaredFeatures  []string
""")

pkg.message("NodeSwapStatus", """
    1 capacity  *int64
""")

pkg.message("NodeSystemInfo", """
    1  machineID                string keep
    2  systemUUID               string keep
    3  bootID                   string keep
    4  kernelVersion            string keep
    5  osImage                  string keep
    6  containerRuntimeVersion  string keep
    7  kubeletVersion           string keep
    8  kubeProxyVersion         string keep
    9  operatingSystem          string keep
    10 architecture             string keep
    11 swap                     *NodeSwapStatus
""")
