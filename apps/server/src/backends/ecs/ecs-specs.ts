import type { CreateServiceCommandInput, RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import type {
  CreateRuleCommandInput,
  CreateTargetGroupCommandInput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AppConfig } from "../../config/config.js";
import {
  buildLabelStudioEnv,
  type ContainerFleetConfig,
  type InstanceDatabase,
  instanceHost,
  instanceLabels,
  instanceName,
  LS_CONTAINER_PORT,
} from "../container/container-instance.js";
import type { InstanceSpec } from "../instance-backend.js";

/** Name of the LS container inside every annotator task definition. */
export const LS_CONTAINER_NAME = "label-studio";

export interface EcsSpecOptions {
  fleet: ContainerFleetConfig;
  ecs: AppConfig["ecs"];
}

const ecsTags = (spec: InstanceSpec, prefix: string) =>
  Object.entries(instanceLabels(spec, prefix)).map(([key, value]) => ({ key, value }));
const elbTags = (spec: InstanceSpec, prefix: string) =>
  Object.entries(instanceLabels(spec, prefix)).map(([Key, Value]) => ({ Key, Value }));

/**
 * The annotator's task definition (family `<prefix><id>`): one LS container on 8080 with the LS
 * environment (contract §1.3, §2.1), an init process (the `Init: true` of Docker), labels, and
 * awslogs when a log group is configured. awsvpc networking, so the target group addresses the task.
 */
export function buildTaskDefinition(
  spec: InstanceSpec,
  options: EcsSpecOptions & { database: InstanceDatabase | null },
): RegisterTaskDefinitionCommandInput {
  const { fleet, ecs, database } = options;
  const prefix = fleet.containers.namePrefix;
  const name = instanceName(prefix, spec.annotatorId);
  const env = buildLabelStudioEnv(spec, fleet, database);
  return {
    family: name,
    networkMode: "awsvpc",
    requiresCompatibilities: [ecs.launchType],
    cpu: ecs.taskCpu,
    memory: ecs.taskMemory,
    ...(ecs.executionRoleArn ? { executionRoleArn: ecs.executionRoleArn } : {}),
    ...(ecs.taskRoleArn ? { taskRoleArn: ecs.taskRoleArn } : {}),
    containerDefinitions: [
      {
        name: LS_CONTAINER_NAME,
        image: fleet.containers.image,
        essential: true,
        portMappings: [{ containerPort: LS_CONTAINER_PORT, protocol: "tcp" }],
        environment: Object.keys(env)
          .sort()
          .map((key) => ({ name: key, value: env[key] })),
        linuxParameters: { initProcessEnabled: true },
        dockerLabels: instanceLabels(spec, prefix),
        ...(ecs.logGroup
          ? {
              logConfiguration: {
                logDriver: "awslogs",
                options: {
                  "awslogs-group": ecs.logGroup,
                  "awslogs-stream-prefix": name,
                  ...(ecs.region ? { "awslogs-region": ecs.region } : {}),
                },
              },
            }
          : {}),
      },
    ],
    tags: ecsTags(spec, prefix),
  };
}

/** The instance's target group: IP targets on 8080, health-checked on LS `/health` (§1.4). */
export function buildTargetGroup(spec: InstanceSpec, options: EcsSpecOptions): CreateTargetGroupCommandInput {
  const prefix = options.fleet.containers.namePrefix;
  return {
    Name: instanceName(prefix, spec.annotatorId),
    Protocol: "HTTP",
    Port: LS_CONTAINER_PORT,
    VpcId: options.ecs.vpcId,
    TargetType: "ip",
    HealthCheckProtocol: "HTTP",
    HealthCheckPath: "/health",
    HealthCheckIntervalSeconds: 15,
    HealthyThresholdCount: 2,
    Matcher: { HttpCode: "200" },
    Tags: elbTags(spec, prefix),
  };
}

/** The listener rule that sends `<subdomain>.<FLEET_DOMAIN>` to the instance's target group. */
export function buildListenerRule(
  spec: InstanceSpec,
  options: EcsSpecOptions & { targetGroupArn: string; priority: number },
): CreateRuleCommandInput {
  return {
    ListenerArn: options.ecs.listenerArn,
    Priority: options.priority,
    Conditions: [
      {
        Field: "host-header",
        HostHeaderConfig: { Values: [instanceHost(spec, options.fleet.instances.fleetDomain)] },
      },
    ],
    Actions: [{ Type: "forward", TargetGroupArn: options.targetGroupArn }],
    Tags: elbTags(spec, options.fleet.containers.namePrefix),
  };
}

/**
 * The annotator's service: one task behind the target group. Deployments stop the old task before
 * starting the new one (min 0 %, max 100 %): an instance never runs twice against its data.
 */
export function buildService(
  spec: InstanceSpec,
  options: EcsSpecOptions & { taskDefinitionArn: string; targetGroupArn: string },
): CreateServiceCommandInput {
  const { fleet, ecs } = options;
  const prefix = fleet.containers.namePrefix;
  return {
    cluster: ecs.cluster,
    serviceName: instanceName(prefix, spec.annotatorId),
    taskDefinition: options.taskDefinitionArn,
    desiredCount: 1,
    launchType: ecs.launchType,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ecs.subnets,
        securityGroups: ecs.securityGroups,
        assignPublicIp: ecs.assignPublicIp ? "ENABLED" : "DISABLED",
      },
    },
    loadBalancers: [
      {
        targetGroupArn: options.targetGroupArn,
        containerName: LS_CONTAINER_NAME,
        containerPort: LS_CONTAINER_PORT,
      },
    ],
    healthCheckGracePeriodSeconds: 180,
    deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    enableECSManagedTags: true,
    propagateTags: "SERVICE",
    tags: ecsTags(spec, prefix),
  };
}

/** The lowest listener-rule priority ≥ `base` not in `taken` (ALB priorities go up to 50,000). */
export function nextFreePriority(taken: Iterable<number>, base: number): number {
  const used = new Set(taken);
  let priority = base;
  while (used.has(priority)) priority++;
  if (priority > 50_000) throw new Error("no free listener rule priority left (max 50000)");
  return priority;
}
