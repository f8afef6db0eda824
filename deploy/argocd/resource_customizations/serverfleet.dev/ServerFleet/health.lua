-- Argo CD health of a serverfleet.dev/v1alpha1 ServerFleet, from the conditions the operator
-- writes (metav1.Condition: Ready, Progressing, Degraded) and status.observedGeneration.
--   Progressing  no status yet, status for an older generation, or a rollout/scaling under way,
--                or instances AWS will take being replaced (Progressing=True/ReplacingInterrupted)
--   Degraded     Degraded=True (EC2 refuses a launch, too many unhealthy instances), or
--                Progressing=False/ProgressDeadlineExceeded
--   Degraded     also Degraded=True/AutoRolledBack: the rollout failed and was rolled back
--   Suspended    a rollout holding at a checkpoint (Progressing=Unknown/Checkpoint), or
--                spec.paused (rollouts stop; scaling still follows replicas)
--   Healthy      Ready=True and Progressing=True/RolloutComplete, for the current generation
-- Lua 5.1 (Argo CD runs gopher-lua); `obj` is the live object.
local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c == nil then
    return fallback
  end
  local text = c.reason or ""
  if c.message ~= nil and c.message ~= "" then
    if text ~= "" then
      text = text .. ": "
    end
    text = text .. c.message
  end
  if text == "" then
    return fallback
  end
  return text
end

local generation = 0
if obj.metadata ~= nil and obj.metadata.generation ~= nil then
  generation = obj.metadata.generation
end

if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end
if obj.status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
    .. " (status is for generation " .. obj.status.observedGeneration .. ")"
  return hs
end

local ready = condition("Ready")
local progressing = condition("Progressing")
local degraded = condition("Degraded")

-- A condition written for an older generation says nothing about the current spec.
local function current(c)
  return c ~= nil and (c.observedGeneration == nil or c.observedGeneration >= generation)
end

if current(degraded) and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(degraded, "Degraded")
  return hs
end
if current(progressing) and progressing.status == "False" and progressing.reason == "ProgressDeadlineExceeded" then
  hs.status = "Degraded"
  hs.message = describe(progressing, "Progress deadline exceeded")
  return hs
end
if current(progressing) and progressing.status == "Unknown" and progressing.reason == "Checkpoint" then
  hs.status = "Suspended"
  hs.message = describe(progressing, "Holding at a checkpoint")
  return hs
end
if obj.spec ~= nil and obj.spec.paused == true then
  hs.status = "Suspended"
  hs.message = "Rollout paused: " .. describe(ready, "no Ready condition yet")
  return hs
end
if current(ready) and ready.status == "True"
    and (progressing == nil or (current(progressing) and progressing.status == "True"
      and progressing.reason == "RolloutComplete")) then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
  return hs
end

hs.status = "Progressing"
if current(progressing) and progressing.status == "True" then
  hs.message = describe(progressing, "Progressing")
else
  hs.message = describe(ready, "Waiting for the fleet to become ready")
end
return hs
