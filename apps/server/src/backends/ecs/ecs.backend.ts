import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type AppConfig, ConfigError } from "../../config/config.js";
import { AppError } from "../../lib/app-error.js";
import {
  type ContainerFleetConfig,
  databaseNameOf,
  instanceHost,
  instanceName,
} from "../container/container-instance.js";
import { createInstanceDatabases, type InstanceDatabases } from "../container/instance-database.js";
import type {
  InstanceBackend,
  InstanceInfo,
  InstanceRef,
  InstanceSpec,
  InstanceStatus,
} from "../instance-backend.js";
import {
  buildListenerRule,
  buildService,
  buildTargetGroup,
  buildTaskDefinition,
  nextFreePriority,
} from "./ecs-specs.js";

export interface EcsBackendOptions {
  config: ContainerFleetConfig & Pick<AppConfig, "ecs">;
  /** SDK clients; default: built from ECS_REGION and the endpoint overrides. */
  ecsClient?: ECSClient;
  elbClient?: ElasticLoadBalancingV2Client;
  databases?: InstanceDatabases | null;
  /** Pause between attempts to delete a target group ECS still holds (default 2 s, 15 attempts). */
  retryDelayMs?: number;
}

/** True when an AWS SDK error is one of `codes` (Query errors are named `<Code>Exception`). */
const isAws = (error: unknown, ...codes: string[]) => {
  const name = (error as { name?: string }).name ?? "";
  return codes.some((code) => name === code || name === `${code}Exception`);
};

/**
 * The `ecs` instance backend (DESIGN §7): per annotator a task definition, a service of one task, a
 * target group and a host-header listener rule for `<subdomain>.<FLEET_DOMAIN>` on the shared ALB.
 * Stop scales the service to 0 and keeps target group and rule, so a restart needs no routing change.
 * Every step is idempotent: a retried create or start picks up what an interrupted one left.
 */
export function createEcsBackend(options: EcsBackendOptions): InstanceBackend {
  const { config } = options;
  const { ecs: settings } = config;
  const missing = [
    ...(settings.vpcId ? [] : ["ECS_VPC_ID: required by the ecs backend"]),
    ...(settings.listenerArn ? [] : ["ECS_LISTENER_ARN: required by the ecs backend"]),
    ...(settings.subnets.length > 0 ? [] : ["ECS_SUBNETS: required by the ecs backend"]),
    ...(config.instances.fleetDomain
      ? []
      : ["FLEET_DOMAIN: required by the ecs backend (listener host rules)"]),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
  const ecs = options.ecsClient ?? new ECSClient({ region: settings.region, endpoint: settings.ecsEndpoint });
  const elb =
    options.elbClient ??
    new ElasticLoadBalancingV2Client({ region: settings.region, endpoint: settings.elbv2Endpoint });
  const prefix = config.containers.namePrefix;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const databases =
    options.databases !== undefined
      ? options.databases
      : config.containers.databaseAdminUrl
        ? createInstanceDatabases(config.containers.databaseAdminUrl, config.containers.databaseInstanceHost)
        : null;
  const specOptions = { fleet: config, ecs: settings };

  async function step<T>(what: string, name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("UNAVAILABLE", `ecs: ${what} ${name} failed: ${(error as Error).message}`);
    }
  }

  async function findService(name: string): Promise<Service | null> {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: settings.cluster, services: [name] }));
    const service = out.services?.[0];
    return service && service.status !== "INACTIVE" ? service : null;
  }

  async function listenerRules(): Promise<Rule[]> {
    const rules: Rule[] = [];
    let marker: string | undefined;
    do {
      const page = await elb.send(
        new DescribeRulesCommand({ ListenerArn: settings.listenerArn, Marker: marker }),
      );
      rules.push(...(page.Rules ?? []));
      marker = page.NextMarker;
    } while (marker);
    return rules;
  }

  const rulesFor = (rules: Rule[], targetGroupArn: string) =>
    rules.filter((rule) => rule.Actions?.some((action) => action.TargetGroupArn === targetGroupArn));

  async function ensureTargetGroup(spec: InstanceSpec): Promise<string> {
    const input = buildTargetGroup(spec, specOptions);
    try {
      // AWS answers an identical CreateTargetGroup with the existing group.
      const out = await elb.send(new CreateTargetGroupCommand(input));
      const arn = out.TargetGroups?.[0]?.TargetGroupArn;
      if (arn) return arn;
    } catch (error) {
      if (!isAws(error, "DuplicateTargetGroupName")) throw error;
    }
    const found = await elb.send(new DescribeTargetGroupsCommand({ Names: [input.Name as string] }));
    const arn = found.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) throw new Error(`target group ${input.Name} neither created nor found`);
    return arn;
  }

  async function ensureRule(spec: InstanceSpec, targetGroupArn: string): Promise<string> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const rules = await listenerRules();
      const existing = rulesFor(rules, targetGroupArn)[0]?.RuleArn;
      if (existing) return existing;
      const taken = rules.map((rule) => Number(rule.Priority)).filter(Number.isFinite);
      const priority = nextFreePriority(taken, settings.rulePriorityBase);
      try {
        const out = await elb.send(
          new CreateRuleCommand(buildListenerRule(spec, { ...specOptions, targetGroupArn, priority })),
        );
        const arn = out.Rules?.[0]?.RuleArn;
        if (arn) return arn;
      } catch (error) {
        // Another annotator's rule took that priority meanwhile: look again.
        if (!isAws(error, "PriorityInUse")) throw error;
      }
    }
    throw new Error("no listener rule priority could be claimed after 10 attempts");
  }

  async function provision(spec: InstanceSpec): Promise<InstanceInfo> {
    const name = instanceName(prefix, spec.annotatorId);
    const database = databases ? await databases.ensure(spec) : null;
    const taskDefinition = await step("registering task definition", name, () =>
      ecs.send(new RegisterTaskDefinitionCommand(buildTaskDefinition(spec, { ...specOptions, database }))),
    );
    const taskDefinitionArn = taskDefinition.taskDefinition?.taskDefinitionArn as string;
    const targetGroupArn = await step("creating target group", name, () => ensureTargetGroup(spec));
    const ruleArn = await step("creating listener rule for", name, () => ensureRule(spec, targetGroupArn));
    const service = await step("creating service", name, async () => {
      const existing = await findService(name);
      if (existing && existing.status === "ACTIVE") {
        const out = await ecs.send(
          new UpdateServiceCommand({
            cluster: settings.cluster,
            service: name,
            desiredCount: 1,
            taskDefinition: taskDefinitionArn,
          }),
        );
        return out.service;
      }
      const out = await ecs.send(
        new CreateServiceCommand(buildService(spec, { ...specOptions, taskDefinitionArn, targetGroupArn })),
      );
      return out.service;
    });
    const host = instanceHost(spec, config.instances.fleetDomain);
    const https = config.instances.urlScheme === "https";
    return {
      containerId: service?.serviceArn ?? name,
      host,
      port: https ? 443 : 80,
      // LabelFleet reaches the instance the way browsers do: through the ALB rule.
      url: `${config.instances.urlScheme}://${host}`,
      backendData: {
        cluster: settings.cluster,
        serviceName: name,
        serviceArn: service?.serviceArn ?? null,
        taskDefinitionArn,
        targetGroupArn,
        ruleArn,
        databaseName: spec.databaseName,
      },
    };
  }

  const nameOf = (ref: InstanceRef) => instanceName(prefix, ref.annotatorId);

  async function scaleToZero(name: string): Promise<void> {
    try {
      await ecs.send(new UpdateServiceCommand({ cluster: settings.cluster, service: name, desiredCount: 0 }));
    } catch (error) {
      if (!isAws(error, "ServiceNotFound", "ServiceNotActive")) throw error;
    }
  }

  async function deleteTargetGroup(arn: string): Promise<void> {
    // ECS lets go of the target group only once the deleted service has drained.
    for (let attempt = 1; ; attempt++) {
      try {
        await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
        return;
      } catch (error) {
        if (isAws(error, "TargetGroupNotFound")) return;
        if (!isAws(error, "ResourceInUse") || attempt >= 15) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  }

  return {
    kind: "ecs",
    create: provision,
    // Re-registering the task definition applies the current spec (rotated secrets, a new image).
    start: (_ref, spec) => provision(spec),

    async stop(ref) {
      const name = nameOf(ref);
      await step("scaling to 0", name, () => scaleToZero(name));
    },

    async remove(ref, { dropDatabase }) {
      const name = nameOf(ref);
      await step("deleting service", name, async () => {
        await scaleToZero(name);
        try {
          await ecs.send(new DeleteServiceCommand({ cluster: settings.cluster, service: name, force: true }));
        } catch (error) {
          if (!isAws(error, "ServiceNotFound", "ServiceNotActive")) throw error;
        }
      });
      await step("deleting routing of", name, async () => {
        let targetGroupArn: string | undefined;
        try {
          const found = await elb.send(new DescribeTargetGroupsCommand({ Names: [name] }));
          targetGroupArn = found.TargetGroups?.[0]?.TargetGroupArn;
        } catch (error) {
          if (!isAws(error, "TargetGroupNotFound")) throw error;
        }
        if (!targetGroupArn) return;
        for (const rule of rulesFor(await listenerRules(), targetGroupArn))
          await elb.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn })).catch((error: unknown) => {
            if (!isAws(error, "RuleNotFound")) throw error;
          });
        await deleteTargetGroup(targetGroupArn);
      });
      await step("deregistering task definitions of", name, async () => {
        const listed = await ecs.send(
          new ListTaskDefinitionsCommand({ familyPrefix: name, status: "ACTIVE" }),
        );
        // familyPrefix also matches `<name>0...`: keep this family's revisions only.
        for (const arn of listed.taskDefinitionArns ?? [])
          if (arn.endsWith(`/${name}:${arn.split(":").at(-1)}`))
            await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
      });
      if (dropDatabase && databases) await databases.drop(databaseNameOf(ref));
    },

    async inspect(ref): Promise<InstanceStatus> {
      const name = nameOf(ref);
      const service = await step("describing service", name, () => findService(name));
      return service ? serviceStatus(service) : { state: "missing" };
    },

    async logs(ref, { tail }) {
      // Container output goes to CloudWatch (ECS_LOG_GROUP); the service events explain lifecycle problems.
      const name = nameOf(ref);
      const service = await step("describing service", name, () => findService(name));
      return (service?.events ?? [])
        .slice(0, tail)
        .reverse()
        .map((event) => `${event.createdAt?.toISOString() ?? ""} ${event.message ?? ""}`)
        .join("\n");
    },

    async close() {
      ecs.destroy();
      elb.destroy();
    },
  };
}

/** Maps an ECS service to the port's states (pure; see ecs-specs.test.ts). */
export function serviceStatus(service: Service): InstanceStatus {
  const detail = service.events?.[0]?.message;
  if (service.status === "DRAINING") return { state: "stopped", detail: "draining" };
  if ((service.desiredCount ?? 0) === 0) return { state: "stopped", ...(detail ? { detail } : {}) };
  const primary = service.deployments?.find((deployment) => deployment.status === "PRIMARY");
  if (primary?.rolloutState === "FAILED")
    return { state: "failed", detail: primary.rolloutStateReason ?? detail ?? "deployment failed" };
  if ((service.runningCount ?? 0) >= (service.desiredCount ?? 1)) return { state: "running" };
  return { state: "starting", ...(detail ? { detail } : {}) };
}
