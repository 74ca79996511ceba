import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local fake of the two AWS APIs the ecs backend calls: ECS (JSON 1.1, `X-Amz-Target`) and Elastic
 * Load Balancing v2 (Query protocol: form-encoded requests, XML answers). It keeps state like AWS
 * does for the calls used, records every request, and refuses what AWS would refuse: unsigned
 * requests, unknown clusters or listeners, a taken rule priority, deleting a target group a rule
 * still forwards to, services pointing at unknown task definitions or target groups.
 */
export interface RecordedCall {
  api: "ecs" | "elbv2";
  action: string;
  params: any;
}

interface FakeService {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  runningCount: number;
  taskDefinition: string;
  loadBalancers: unknown[];
  request: any;
  rolloutState: "COMPLETED" | "IN_PROGRESS" | "FAILED";
  events: { id: string; createdAt: number; message: string }[];
}

class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** Unflattens Query parameters (`A.member.1.B=x`) into objects and arrays. */
export function parseQuery(body: string): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(".");
    let node: any = root;
    for (let i = 0; i < parts.length; i++) {
      let part: string | number = parts[i] as string;
      if (part === "member") {
        i++;
        part = Number(parts[i]) - 1;
      }
      const last = i === parts.length - 1;
      if (last) node[part] = value;
      else {
        const nextIsList = parts[i + 1] === "member";
        node[part] ??= nextIsList ? [] : {};
        node = node[part];
      }
    }
  }
  return root;
}

function toXml(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join("");
  if (value !== null && typeof value === "object")
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join("");
  return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export async function startEcsFake(options: { cluster: string; listenerArn: string }) {
  const calls: RecordedCall[] = [];
  const taskDefinitions = new Map<string, any[]>();
  const services = new Map<string, FakeService>();
  const targetGroups = new Map<string, { arn: string; request: any }>();
  const rules = new Map<string, { arn: string; priority: number; request: any }>();
  let seq = 0;
  const clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${options.cluster}`;
  const state = {
    /** When false, services report no running task (a deployment that never gets healthy). */
    tasksBecomeHealthy: true,
  };

  function checkCluster(cluster: string | undefined) {
    if (cluster !== options.cluster && cluster !== clusterArn)
      throw new AwsError("ClusterNotFoundException", `Cluster not found: ${cluster}`);
  }

  function event(service: FakeService, message: string) {
    service.events.unshift({
      id: String(++seq),
      createdAt: Date.now() / 1000,
      message: `(service ${service.serviceName}) ${message}`,
    });
  }

  function settle(service: FakeService) {
    service.runningCount = state.tasksBecomeHealthy ? service.desiredCount : 0;
    service.rolloutState = state.tasksBecomeHealthy ? "COMPLETED" : "IN_PROGRESS";
    if (service.desiredCount > 0 && state.tasksBecomeHealthy) event(service, "has reached a steady state.");
  }

  const view = (s: FakeService) => ({
    serviceArn: s.serviceArn,
    serviceName: s.serviceName,
    clusterArn: s.clusterArn,
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: s.runningCount,
    pendingCount: s.desiredCount - s.runningCount,
    taskDefinition: s.taskDefinition,
    loadBalancers: s.loadBalancers,
    deployments: [
      {
        id: `ecs-svc/${s.serviceName}`,
        status: "PRIMARY",
        taskDefinition: s.taskDefinition,
        desiredCount: s.desiredCount,
        runningCount: s.runningCount,
        rolloutState: s.rolloutState,
      },
    ],
    events: s.events,
  });

  const ecsActions: Record<string, (p: any) => unknown> = {
    RegisterTaskDefinition(p) {
      const revisions = taskDefinitions.get(p.family) ?? [];
      const revision = revisions.length + 1;
      const taskDefinitionArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${p.family}:${revision}`;
      revisions.push({ ...p, taskDefinitionArn, revision, status: "ACTIVE" });
      taskDefinitions.set(p.family, revisions);
      return { taskDefinition: { ...p, taskDefinitionArn, revision, status: "ACTIVE" } };
    },
    ListTaskDefinitions(p) {
      const arns = [...taskDefinitions.entries()]
        .filter(([family]) => !p.familyPrefix || family.startsWith(p.familyPrefix))
        .flatMap(([, revs]) =>
          revs.filter((r) => !p.status || r.status === p.status).map((r) => r.taskDefinitionArn),
        );
      return { taskDefinitionArns: arns };
    },
    DeregisterTaskDefinition(p) {
      const td = [...taskDefinitions.values()].flat().find((r) => r.taskDefinitionArn === p.taskDefinition);
      if (!td) throw new AwsError("ClientException", "Unable to describe task definition.");
      td.status = "INACTIVE";
      return { taskDefinition: td };
    },
    CreateService(p) {
      checkCluster(p.cluster);
      const existing = services.get(p.serviceName);
      if (existing && existing.status !== "INACTIVE")
        throw new AwsError("InvalidParameterException", "Creation of service was not idempotent.");
      if (![...taskDefinitions.values()].flat().some((r) => r.taskDefinitionArn === p.taskDefinition))
        throw new AwsError("ClientException", "TaskDefinition not found.");
      for (const lb of p.loadBalancers ?? [])
        if (![...targetGroups.values()].some((tg) => tg.arn === lb.targetGroupArn))
          throw new AwsError(
            "InvalidParameterException",
            `Unable to assume target group ${lb.targetGroupArn}`,
          );
      if (!p.networkConfiguration?.awsvpcConfiguration?.subnets?.length)
        throw new AwsError("InvalidParameterException", "subnets can not be empty.");
      const service: FakeService = {
        serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${options.cluster}/${p.serviceName}`,
        serviceName: p.serviceName,
        clusterArn,
        status: "ACTIVE",
        desiredCount: p.desiredCount ?? 0,
        runningCount: 0,
        taskDefinition: p.taskDefinition,
        loadBalancers: p.loadBalancers ?? [],
        request: p,
        rolloutState: "IN_PROGRESS",
        events: [],
      };
      services.set(p.serviceName, service);
      settle(service);
      return { service: view(service) };
    },
    UpdateService(p) {
      checkCluster(p.cluster);
      const service = services.get(p.service);
      if (!service || service.status === "INACTIVE")
        throw new AwsError("ServiceNotFoundException", "Service not found.");
      if (service.status !== "ACTIVE")
        throw new AwsError("ServiceNotActiveException", "Service was not ACTIVE.");
      if (p.desiredCount !== undefined) service.desiredCount = p.desiredCount;
      if (p.taskDefinition) service.taskDefinition = p.taskDefinition;
      settle(service);
      return { service: view(service) };
    },
    DeleteService(p) {
      checkCluster(p.cluster);
      const service = services.get(p.service);
      if (!service || service.status === "INACTIVE")
        throw new AwsError("ServiceNotFoundException", "Service not found.");
      if (service.desiredCount > 0 && !p.force)
        throw new AwsError(
          "InvalidParameterException",
          "The service cannot be stopped while it is scaled above 0.",
        );
      service.status = "INACTIVE";
      service.desiredCount = 0;
      service.runningCount = 0;
      return { service: view(service) };
    },
    DescribeServices(p) {
      checkCluster(p.cluster);
      const found = (p.services as string[]).map((name) => services.get(name));
      return {
        services: found.filter((s): s is FakeService => Boolean(s)).map(view),
        failures: (p.services as string[])
          .filter((name) => !services.has(name))
          .map((name) => ({ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${name}`, reason: "MISSING" })),
      };
    },
  };

  const tgView = (tg: { arn: string; request: any }) => ({
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.request.Name,
    Protocol: tg.request.Protocol,
    Port: tg.request.Port,
    VpcId: tg.request.VpcId,
    TargetType: tg.request.TargetType,
    HealthCheckPath: tg.request.HealthCheckPath,
  });
  const ruleView = (rule: { arn: string; priority: number; request: any }) => ({
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: rule.request.Conditions,
    Actions: rule.request.Actions,
    IsDefault: false,
  });

  const elbActions: Record<string, (p: any) => unknown> = {
    CreateTargetGroup(p) {
      const existing = targetGroups.get(p.Name);
      if (existing) {
        const same = ["Protocol", "Port", "VpcId", "TargetType"].every((k) => existing.request[k] === p[k]);
        if (!same)
          throw new AwsError("DuplicateTargetGroupName", "A target group with the same name exists.");
        return { TargetGroups: [tgView(existing)] };
      }
      if (!p.VpcId) throw new AwsError("ValidationError", "A VPC ID must be specified");
      const tg = {
        arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${p.Name}/${(++seq).toString(16)}`,
        request: p,
      };
      targetGroups.set(p.Name, tg);
      return { TargetGroups: [tgView(tg)] };
    },
    DescribeTargetGroups(p) {
      const names: string[] = p.Names ?? [];
      const found = names.map((n) => targetGroups.get(n));
      if (found.some((tg) => !tg))
        throw new AwsError("TargetGroupNotFound", "One or more target groups not found");
      return { TargetGroups: found.map((tg) => tgView(tg as { arn: string; request: any })) };
    },
    DeleteTargetGroup(p) {
      const entry = [...targetGroups.entries()].find(([, tg]) => tg.arn === p.TargetGroupArn);
      if (!entry) return {};
      const inUse =
        [...rules.values()].some((r) =>
          r.request.Actions.some((a: any) => a.TargetGroupArn === p.TargetGroupArn),
        ) ||
        [...services.values()].some(
          (s) =>
            s.status !== "INACTIVE" &&
            s.loadBalancers.some((lb: any) => lb.targetGroupArn === p.TargetGroupArn),
        );
      if (inUse)
        throw new AwsError("ResourceInUse", `Target group '${p.TargetGroupArn}' is currently in use`);
      targetGroups.delete(entry[0]);
      return {};
    },
    CreateRule(p) {
      if (p.ListenerArn !== options.listenerArn) throw new AwsError("ListenerNotFound", "Listener not found");
      const priority = Number(p.Priority);
      if ([...rules.values()].some((r) => r.priority === priority))
        throw new AwsError("PriorityInUse", `Priority '${priority}' is currently in use`);
      for (const action of p.Actions)
        if (![...targetGroups.values()].some((tg) => tg.arn === action.TargetGroupArn))
          throw new AwsError("TargetGroupNotFound", "Target group not found");
      const rule = {
        arn: `${options.listenerArn.replace(":listener/", ":listener-rule/")}/${(++seq).toString(16)}`,
        priority,
        request: p,
      };
      rules.set(rule.arn, rule);
      return { Rules: [ruleView(rule)] };
    },
    DescribeRules(p) {
      if (p.ListenerArn !== options.listenerArn) throw new AwsError("ListenerNotFound", "Listener not found");
      // Two per page, so callers must follow NextMarker.
      const all = [...rules.values()].sort((a, b) => a.priority - b.priority);
      const start = Number(p.Marker ?? 0);
      const page = all.slice(start, start + 2);
      return {
        Rules: page.map(ruleView),
        ...(start + 2 < all.length ? { NextMarker: String(start + 2) } : {}),
      };
    },
    DeleteRule(p) {
      if (!rules.delete(p.RuleArn)) throw new AwsError("RuleNotFound", "One or more rules not found");
      return {};
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const signed = String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ");
    const target = req.headers["x-amz-target"];
    if (typeof target === "string") {
      const action = target.split(".").at(-1) as string;
      const params = body ? JSON.parse(body) : {};
      calls.push({ api: "ecs", action, params });
      res.setHeader("content-type", "application/x-amz-json-1.1");
      try {
        if (!signed)
          throw new AwsError(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
          );
        const run = ecsActions[action];
        if (!run) throw new AwsError("UnknownOperationException", action);
        res.end(JSON.stringify(run(params)));
      } catch (error) {
        const e = error as AwsError;
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: e.code ?? "ServerException", message: e.message }));
      }
      return;
    }
    const params = parseQuery(body);
    const action = String(params.Action);
    delete params.Action;
    delete params.Version;
    calls.push({ api: "elbv2", action, params });
    res.setHeader("content-type", "text/xml");
    try {
      if (!signed)
        throw new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.");
      const run = elbActions[action];
      if (!run) throw new AwsError("InvalidAction", action);
      const result = run(params);
      res.end(
        `<${action}Response xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>req-${++seq}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const e = error as AwsError;
      res.statusCode = 400;
      res.end(
        `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>${e.code ?? "InternalFailure"}</Code><Message>${toXml(e.message)}</Message></Error><RequestId>req-${++seq}</RequestId></ErrorResponse>`,
      );
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls,
    state,
    services,
    targetGroups,
    rules,
    taskDefinitions,
    /** Calls of one action, in order. */
    callsOf: (action: string) => calls.filter((c) => c.action === action),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type EcsFake = Awaited<ReturnType<typeof startEcsFake>>;
