{{/*
Name of the chart, or nameOverride.
*/}}
{{- define "serverfleet-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's objects: fullnameOverride, else the release name when it already
contains the chart name, else <release>-<chart>. At most 63 characters (DNS label).
*/}}
{{- define "serverfleet-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "serverfleet-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "serverfleet-operator.labels" -}}
helm.sh/chart: {{ include "serverfleet-operator.chart" . }}
{{ include "serverfleet-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: serverfleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the operator's pods (Deployment, Service, PodDisruptionBudget). Never change
them in an upgrade: a Deployment's selector is immutable.
*/}}
{{- define "serverfleet-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "serverfleet-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "serverfleet-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "serverfleet-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "serverfleet-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
"true" when the operator elects a leader: leaderElection.enabled true, or auto with more than
one replica (two active replicas without a lease would both launch instances).
*/}}
{{- define "serverfleet-operator.leaderElection" -}}
{{- $enabled := toString .Values.leaderElection.enabled }}
{{- if eq $enabled "auto" }}
{{- if gt (int .Values.replicaCount) 1 }}true{{ else }}false{{ end }}
{{- else if eq $enabled "true" }}true
{{- else if eq $enabled "false" }}false
{{- else }}
{{- fail (printf "leaderElection.enabled must be auto, true or false, not %q" $enabled) }}
{{- end }}
{{- end }}

{{- define "serverfleet-operator.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.leaseNamespace }}
{{- end }}

{{/*
What the operator may do with ServerFleets and Events, in a ClusterRole (all namespaces) or in a
Role per watched namespace. Nothing else: no Secrets, no Pods.
*/}}
{{- define "serverfleet-operator.rules" -}}
- apiGroups: [serverfleet.dev]
  resources: [serverfleets]
  verbs: [get, list, watch, patch, update]
- apiGroups: [serverfleet.dev]
  resources: [serverfleets/status]
  verbs: [get, patch, update]
- apiGroups: [serverfleet.dev]
  resources: [serverfleets/finalizers]
  verbs: [update]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- /* revision history (kubectl sf rollout history / undo): one ControllerRevision per template */}}
- apiGroups: [apps]
  resources: [controllerrevisions]
  verbs: [get, list, create, update, delete]
{{- end }}

{{- /* Cluster-scoped, so granted by a ClusterRole even when watchNamespaces limits the rest:
       the ServerFleetClasses fleets name in spec.className, read on every reconcile. */}}
{{- define "serverfleet-operator.classRules" -}}
- apiGroups: [serverfleet.dev]
  resources: [serverfleetclasses]
  verbs: [get, list, watch]
{{- end }}
