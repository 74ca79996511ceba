import type { Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { makeInstanceSpec } from "../../../test/fakes/instance-spec.js";
import { loadConfig } from "../../config/config.js";
import { serviceStatus } from "./ecs.backend.js";
import {
  buildListenerRule,
  buildService,
  buildTargetGroup,
  buildTaskDefinition,
  nextFreePriority,
} from "./ecs-specs.js";

const spec = makeInstanceSpec({ annotatorId: 12, subdomain: "carol" });
const base = {
  ECS_CLUSTER: "fleet",
  ECS_SUBNETS: "subnet-a, subnet-b",
  ECS_SECURITY_GROUPS: "sg-1",
  ECS_VPC_ID: "vpc-1",
  ECS_LISTENER_ARN: "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/alb/1/2",
  FLEET_DOMAIN: "fleet.example.com",
};
const optionsFor = (env: Record<string, string | undefined> = {}) => {
  const config = loadConfig({ ...base, ...env });
  return { fleet: config, ecs: config.ecs };
};

describe("buildTaskDefinition", () => {
  it.each([
    { env: {}, launch: "FARGATE", logs: undefined, roles: {} },
    {
      env: {
        ECS_LAUNCH_TYPE: "EC2",
        ECS_LOG_GROUP: "/labelfleet/ls",
        ECS_REGION: "eu-west-1",
        ECS_EXECUTION_ROLE_ARN: "arn:exec",
        ECS_TASK_ROLE_ARN: "arn:task",
      },
      launch: "EC2",
      logs: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/labelfleet/ls",
          "awslogs-stream-prefix": "fleet-ls-12",
          "awslogs-region": "eu-west-1",
        },
      },
      roles: { executionRoleArn: "arn:exec", taskRoleArn: "arn:task" },
    },
  ])("launch type $launch", ({ env, launch, logs, roles }) => {
    const td = buildTaskDefinition(spec, { ...optionsFor(env), database: null });
    expect(td).toMatchObject({
      family: "fleet-ls-12",
      networkMode: "awsvpc",
      requiresCompatibilities: [launch],
      cpu: "1024",
      memory: "2048",
      ...roles,
    });
    if (!roles.executionRoleArn) expect(td).not.toHaveProperty("executionRoleArn");
    const container = td.containerDefinitions?.[0];
    expect(container).toMatchObject({
      name: "label-studio",
      image: "heartexlabs/label-studio:latest",
      essential: true,
      portMappings: [{ containerPort: 8080, protocol: "tcp" }],
      linuxParameters: { initProcessEnabled: true },
      dockerLabels: { "labelfleet.instance": "fleet-ls-12", "labelfleet.subdomain": "carol" },
    });
    expect(container?.logConfiguration).toEqual(logs);
    expect(container?.environment).toEqual(
      expect.arrayContaining([
        { name: "LABEL_STUDIO_USER_TOKEN", value: spec.lsToken },
        { name: "LABEL_STUDIO_HOST", value: "http://carol.fleet.example.com" },
      ]),
    );
    expect(td.tags).toContainEqual({ key: "labelfleet.managed", value: "true" });
  });

  it("adds PostgreSQL settings when the annotator has a database", () => {
    const database = {
      host: "rds",
      port: 5432,
      name: "ls_annotator_12",
      user: "ls_annotator_12",
      password: "pw",
    };
    const env = buildTaskDefinition(spec, { ...optionsFor(), database }).containerDefinitions?.[0]
      ?.environment;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "DJANGO_DB", value: "default" },
        { name: "POSTGRE_HOST", value: "rds" },
      ]),
    );
  });
});

describe("ELBv2 and service specs", () => {
  it("target group: IP targets on 8080 health-checked on /health in the VPC", () => {
    expect(buildTargetGroup(spec, optionsFor())).toMatchObject({
      Name: "fleet-ls-12",
      Protocol: "HTTP",
      Port: 8080,
      VpcId: "vpc-1",
      TargetType: "ip",
      HealthCheckPath: "/health",
      Matcher: { HttpCode: "200" },
      Tags: expect.arrayContaining([{ Key: "labelfleet.annotator-id", Value: "12" }]),
    });
  });

  it("listener rule: host header of the subdomain forwards to the target group", () => {
    expect(
      buildListenerRule(spec, { ...optionsFor(), targetGroupArn: "arn:tg", priority: 1007 }),
    ).toMatchObject({
      ListenerArn: base.ECS_LISTENER_ARN,
      Priority: 1007,
      Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["carol.fleet.example.com"] } }],
      Actions: [{ Type: "forward", TargetGroupArn: "arn:tg" }],
    });
  });

  it.each([
    { env: {}, publicIp: "DISABLED" },
    { env: { ECS_ASSIGN_PUBLIC_IP: "true" }, publicIp: "ENABLED" },
  ])("service with public IP $publicIp", ({ env, publicIp }) => {
    expect(
      buildService(spec, { ...optionsFor(env), taskDefinitionArn: "arn:td", targetGroupArn: "arn:tg" }),
    ).toMatchObject({
      cluster: "fleet",
      serviceName: "fleet-ls-12",
      taskDefinition: "arn:td",
      desiredCount: 1,
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-a", "subnet-b"],
          securityGroups: ["sg-1"],
          assignPublicIp: publicIp,
        },
      },
      loadBalancers: [{ targetGroupArn: "arn:tg", containerName: "label-studio", containerPort: 8080 }],
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
  });

  it.each([
    { taken: [], base: 1000, expected: 1000 },
    { taken: [1000, 1001, 1003], base: 1000, expected: 1002 },
    { taken: [1, 2, 5], base: 3, expected: 3 },
  ])("next free priority after $taken from $base is $expected", ({ taken, base, expected }) => {
    expect(nextFreePriority(taken, base)).toBe(expected);
  });

  it("runs out of priorities past 50,000", () => {
    expect(() => nextFreePriority([50_000], 50_000)).toThrow(/no free listener rule priority/);
  });
});

describe("serviceStatus", () => {
  const service = (s: Partial<Service>): Service => ({
    status: "ACTIVE",
    desiredCount: 1,
    runningCount: 0,
    ...s,
  });
  it.each([
    { s: { runningCount: 1 }, expected: "running" },
    { s: { runningCount: 0 }, expected: "starting" },
    { s: { desiredCount: 0 }, expected: "stopped" },
    { s: { status: "DRAINING" }, expected: "stopped" },
    {
      s: {
        deployments: [
          { status: "PRIMARY", rolloutState: "FAILED" as const, rolloutStateReason: "tasks failed to start" },
        ],
      },
      expected: "failed",
    },
  ])("$s → $expected", ({ s, expected }) => {
    expect(serviceStatus(service(s)).state).toBe(expected);
  });
});
