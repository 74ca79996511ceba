import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EcsFake, startEcsFake } from "../../../test/fakes/ecs-fake.js";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { loadConfig } from "../../config/config.js";
import type { InstanceBackend, InstanceInfo, InstanceSpec } from "../instance-backend.js";
import { createEcsBackend } from "./ecs.backend.js";

const LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/fleet/abc/def";
const env = {
  ECS_CLUSTER: "fleet",
  ECS_SUBNETS: "subnet-a",
  ECS_SECURITY_GROUPS: "sg-1",
  ECS_VPC_ID: "vpc-1",
  ECS_LISTENER_ARN: LISTENER,
  ECS_RULE_PRIORITY_BASE: "100",
  FLEET_DOMAIN: "fleet.example.com",
  FLEET_URL_SCHEME: "https",
};
let fake: EcsFake;
let backend: InstanceBackend;

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const refOf = (spec: InstanceSpec, info: InstanceInfo) => ({
  annotatorId: spec.annotatorId,
  subdomain: spec.subdomain,
  containerId: info.containerId,
  backendData: info.backendData ?? null,
});

beforeAll(async () => {
  fake = await startEcsFake({ cluster: "fleet", listenerArn: LISTENER });
  backend = createEcsBackend({
    config: loadConfig(env),
    ecsClient: new ECSClient({ region: "us-east-1", endpoint: fake.url, credentials, maxAttempts: 1 }),
    elbClient: new ElasticLoadBalancingV2Client({
      region: "us-east-1",
      endpoint: fake.url,
      credentials,
      maxAttempts: 1,
    }),
    retryDelayMs: 10,
  });
});
afterAll(async () => {
  await backend.close();
  await fake.close();
});

describe("ecs backend against a fake ECS/ELBv2 API", () => {
  it("create: task definition, target group, host rule and a service of one task behind it", async () => {
    const spec = makeInstanceSpec({ annotatorId: 1, subdomain: "alice" });
    const info = await backend.create(spec);
    expect(info).toMatchObject({
      host: "alice.fleet.example.com",
      port: 443,
      url: "https://alice.fleet.example.com",
      containerId: "arn:aws:ecs:us-east-1:123456789012:service/fleet/fleet-ls-1",
    });
    const [td] = fake.callsOf("RegisterTaskDefinition");
    expect(td?.params.family).toBe("fleet-ls-1");
    const [tg] = fake.callsOf("CreateTargetGroup");
    expect(tg?.params).toMatchObject({
      Name: "fleet-ls-1",
      Port: "8080",
      VpcId: "vpc-1",
      HealthCheckPath: "/health",
    });
    const [rule] = fake.callsOf("CreateRule");
    expect(rule?.params).toMatchObject({
      ListenerArn: LISTENER,
      Priority: "100",
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["alice.fleet.example.com"] } }],
      Actions: [{ Type: "forward", TargetGroupArn: info.backendData?.targetGroupArn }],
    });
    const [service] = fake.callsOf("CreateService");
    expect(service?.params).toMatchObject({
      cluster: "fleet",
      serviceName: "fleet-ls-1",
      desiredCount: 1,
      taskDefinition: td && fake.taskDefinitions.get("fleet-ls-1")?.[0].taskDefinitionArn,
      loadBalancers: [
        {
          targetGroupArn: info.backendData?.targetGroupArn,
          containerName: "label-studio",
          containerPort: 8080,
        },
      ],
    });
    expect(await backend.inspect(refOf(spec, info))).toEqual({ state: "running" });
  });

  it("gives each annotator its own service, target group and the next free rule priority", async () => {
    const spec = makeInstanceSpec({ annotatorId: 2, subdomain: "bob" });
    await backend.create(spec);
    expect(fake.services.size).toBe(2);
    expect([...fake.rules.values()].map((r) => r.priority).sort()).toEqual([100, 101]);
    expect([...fake.targetGroups.keys()].sort()).toEqual(["fleet-ls-1", "fleet-ls-2"]);
  });

  it("stop scales to 0 and keeps target group and rule; start scales back to 1 with no new routing", async () => {
    const spec = makeInstanceSpec({ annotatorId: 3, subdomain: "dave" });
    const info = await backend.create(spec);
    const rulesBefore = fake.rules.size;
    const groupsBefore = fake.targetGroups.size;

    fake.calls.length = 0;
    await backend.stop(refOf(spec, info));
    expect(fake.calls.map((c) => c.action)).toEqual(["UpdateService"]);
    expect(fake.calls[0]?.params).toMatchObject({ cluster: "fleet", service: "fleet-ls-3", desiredCount: 0 });
    expect(fake.rules.size).toBe(rulesBefore);
    expect(fake.targetGroups.size).toBe(groupsBefore);
    expect((await backend.inspect(refOf(spec, info))).state).toBe("stopped");

    fake.calls.length = 0;
    const restarted = await backend.start(refOf(spec, info), spec);
    expect(fake.callsOf("CreateRule")).toEqual([]);
    expect(fake.callsOf("CreateService")).toEqual([]);
    expect(fake.callsOf("UpdateService")[0]?.params).toMatchObject({
      service: "fleet-ls-3",
      desiredCount: 1,
    });
    expect(restarted.backendData?.ruleArn).toBe(info.backendData?.ruleArn);
    expect(fake.rules.size).toBe(rulesBefore);
    expect((await backend.inspect(refOf(spec, restarted))).state).toBe("running");
  });

  it("reports a service whose tasks never get healthy as starting, then failed", async () => {
    fake.state.tasksBecomeHealthy = false;
    const spec = makeInstanceSpec({ annotatorId: 4, subdomain: "erin" });
    const info = await backend.create(spec);
    fake.state.tasksBecomeHealthy = true;
    expect((await backend.inspect(refOf(spec, info))).state).toBe("starting");
    const service = fake.services.get("fleet-ls-4");
    if (service) service.rolloutState = "FAILED";
    expect((await backend.inspect(refOf(spec, info))).state).toBe("failed");
    await backend.remove(refOf(spec, info), { dropDatabase: false });
  });

  it("remove deletes service, rule, target group and task definitions; a second remove is a no-op", async () => {
    const spec = makeInstanceSpec({ annotatorId: 5, subdomain: "frank" });
    const info = await backend.create(spec);
    await backend.start(refOf(spec, info), spec); // a second task definition revision
    const otherRules = [...fake.rules.values()].filter(
      (r) => r.request.Actions[0].TargetGroupArn !== info.backendData?.targetGroupArn,
    );

    await backend.remove(refOf(spec, info), { dropDatabase: true });
    expect(fake.services.get("fleet-ls-5")?.status).toBe("INACTIVE");
    expect(fake.targetGroups.has("fleet-ls-5")).toBe(false);
    expect([...fake.rules.values()]).toEqual(otherRules);
    expect(fake.taskDefinitions.get("fleet-ls-5")?.map((r) => r.status)).toEqual(["INACTIVE", "INACTIVE"]);
    expect((await backend.inspect(refOf(spec, info))).state).toBe("missing");
    await backend.remove(refOf(spec, info), { dropDatabase: true });
    await backend.stop(refOf(spec, info));
  });

  it("start after remove provisions everything again; logs are the service events", async () => {
    const spec = makeInstanceSpec({ annotatorId: 5, subdomain: "frank" });
    const info = await backend.start(
      { annotatorId: 5, subdomain: "frank", containerId: null, backendData: null },
      spec,
    );
    expect((await backend.inspect(refOf(spec, info))).state).toBe("running");
    expect(fake.targetGroups.has("fleet-ls-5")).toBe(true);
    expect(await backend.logs(refOf(spec, info), { tail: 5 })).toContain("has reached a steady state.");
  });

  it("names the instance and the step when AWS refuses a call", async () => {
    const broken = createEcsBackend({
      config: loadConfig({ ...env, ECS_CLUSTER: "nope" }),
      ecsClient: new ECSClient({ region: "us-east-1", endpoint: fake.url, credentials, maxAttempts: 1 }),
      elbClient: new ElasticLoadBalancingV2Client({
        region: "us-east-1",
        endpoint: fake.url,
        credentials,
        maxAttempts: 1,
      }),
    });
    await expect(broken.create(makeInstanceSpec({ annotatorId: 9 }))).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringMatching(/^ecs: creating service fleet-ls-9 failed: Cluster not found/),
    });
  });

  it("refuses to start without the settings it needs", () => {
    expect(() => createEcsBackend({ config: loadConfig({}) })).toThrow(
      /ECS_VPC_ID[\s\S]*ECS_LISTENER_ARN[\s\S]*ECS_SUBNETS[\s\S]*FLEET_DOMAIN/,
    );
  });
});
