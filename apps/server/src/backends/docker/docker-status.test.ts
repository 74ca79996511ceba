import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { containerStatus } from "./docker.backend.js";
import { demuxDockerLogs } from "./docker-logs.js";

type State = Partial<Dockerode.ContainerInspectInfo["State"]> & { Health?: { Status: string } };
const base = { Running: false, Restarting: false, OOMKilled: false, Dead: false, Error: "", ExitCode: 0 };
const status = (state: State, restarts = 0) =>
  containerStatus({
    State: { ...base, Status: "created", ...state } as Dockerode.ContainerInspectInfo["State"],
    RestartCount: restarts,
  });

describe("containerStatus", () => {
  it.each([
    { state: { Status: "running", Running: true }, expected: "running" },
    { state: { Status: "running", Running: true, Health: { Status: "starting" } }, expected: "starting" },
    { state: { Status: "running", Running: true, Health: { Status: "unhealthy" } }, expected: "failed" },
    { state: { Status: "restarting", Running: true, Restarting: true }, expected: "starting" },
    { state: { Status: "created" }, expected: "stopped" },
    { state: { Status: "exited", ExitCode: 0 }, expected: "stopped" },
    { state: { Status: "exited", ExitCode: 143 }, expected: "stopped" },
    { state: { Status: "exited", ExitCode: 137 }, expected: "stopped" },
    { state: { Status: "exited", ExitCode: 1 }, expected: "failed" },
    { state: { Status: "exited", ExitCode: 137, OOMKilled: true }, expected: "failed" },
    { state: { Status: "dead", Dead: true }, expected: "failed" },
    { state: { Status: "created", Error: "port is already allocated" }, expected: "failed" },
  ] as { state: State; expected: string }[])(
    "$state.Status exit $state.ExitCode → $expected",
    ({ state, expected }) => {
      expect(status(state).state).toBe(expected);
    },
  );

  it("reports restarts and explains failures", () => {
    expect(status({ Status: "running", Running: true }, 3)).toEqual({ state: "running", restarts: 3 });
    expect(status({ Status: "exited", ExitCode: 2 }).detail).toBe("exited with code 2");
    expect(status({ Status: "exited", OOMKilled: true, ExitCode: 137 }).detail).toBe("out of memory");
  });
});

describe("demuxDockerLogs", () => {
  const frame = (type: number, text: string) => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = type;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it("joins stdout and stderr frames in order", () => {
    expect(
      demuxDockerLogs(Buffer.concat([frame(1, "out 1\n"), frame(2, "err\n"), frame(1, "out 2\n")])),
    ).toBe("out 1\nerr\nout 2\n");
  });

  it("returns plain text as it is", () => {
    expect(demuxDockerLogs(Buffer.from("plain log line that is long enough\n"))).toBe(
      "plain log line that is long enough\n",
    );
    expect(demuxDockerLogs(Buffer.alloc(0))).toBe("");
  });
});
