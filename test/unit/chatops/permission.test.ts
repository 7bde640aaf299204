import { describe, expect, it } from "vitest";
import type { Command } from "../../../src/chatops/commands.js";
import {
  atLeast,
  authorise,
  requiredPermission,
  toPermission,
  type CollaboratorPermission,
} from "../../../src/chatops/permission.js";
import type { DeployEnvironment, Permission } from "../../../src/config/schema.js";

const env = (allow: Permission[]): DeployEnvironment => ({
  run: "./deploy.sh",
  allow,
  requires: [],
});
const ALL: CollaboratorPermission[] = ["none", "read", "triage", "write", "maintain", "admin"];

/** Which permissions pass, per command and allow list: the policy at a glance. */
const MATRIX: {
  name: string;
  command: Command;
  allow?: Permission[];
  passes: CollaboratorPermission[];
}[] = [
  { name: "/help", command: { kind: "help" }, passes: ALL },
  {
    name: "/badge",
    command: { kind: "badge" },
    passes: ["read", "triage", "write", "maintain", "admin"],
  },
  { name: "/retest", command: { kind: "retest" }, passes: ["write", "maintain", "admin"] },
  { name: "/ok-to-test", command: { kind: "ok-to-test" }, passes: ["write", "maintain", "admin"] },
  {
    name: "/deploy, allow [write]",
    command: { kind: "deploy", env: "staging", dryRun: false, force: false },
    allow: ["write"],
    passes: ["write", "maintain", "admin"],
  },
  {
    name: "/deploy --dry-run, allow [write]",
    command: { kind: "deploy", env: "staging", dryRun: true, force: false },
    allow: ["write"],
    passes: ["write", "maintain", "admin"],
  },
  {
    name: "/deploy, allow [admin]",
    command: { kind: "deploy", env: "production", dryRun: false, force: false },
    allow: ["admin"],
    passes: ["admin"],
  },
  {
    name: "/deploy, allow [admin, triage]: the lowest is the bar",
    command: { kind: "deploy", env: "staging", dryRun: false, force: false },
    allow: ["admin", "triage"],
    passes: ["triage", "write", "maintain", "admin"],
  },
  {
    name: "/deploy, allow []",
    command: { kind: "deploy", env: "staging", dryRun: false, force: false },
    allow: [],
    passes: [],
  },
  {
    name: "/deploy --force, allow [write]",
    command: { kind: "deploy", env: "staging", dryRun: false, force: true },
    allow: ["write"],
    passes: ["admin"],
  },
  {
    name: "/deploy --force, allow [read]",
    command: { kind: "deploy", env: "staging", dryRun: false, force: true },
    allow: ["read"],
    passes: ["admin"],
  },
  {
    name: "/rollback, allow [maintain]",
    command: { kind: "rollback", env: "staging" },
    allow: ["maintain"],
    passes: ["maintain", "admin"],
  },
  {
    name: "/lock, allow [write]",
    command: { kind: "lock", env: "staging" },
    allow: ["write"],
    passes: ["write", "maintain", "admin"],
  },
  {
    name: "/unlock, allow [read]",
    command: { kind: "unlock", env: "staging" },
    allow: ["read"],
    passes: ["read", "triage", "write", "maintain", "admin"],
  },
];

describe("authorise: the policy matrix", () => {
  it.each(MATRIX.flatMap((row) => ALL.map((permission) => ({ ...row, permission }))))(
    "$name as $permission",
    ({ command, allow, permission, passes }) => {
      const environment = allow === undefined ? undefined : env(allow);

      const result = authorise({ command, permission, environment });

      expect(result.ok).toBe(passes.includes(permission));
    },
  );
});

describe("authorise: refusals say why", () => {
  it.each([
    {
      name: "too low for the environment",
      input: {
        command: { kind: "deploy", env: "production", dryRun: false, force: false },
        permission: "write",
        environment: env(["admin"]),
      },
      expected: {
        ok: false,
        reason: "insufficient-permission",
        message: "/deploy production needs admin permission or higher; you have write.",
      },
    },
    {
      name: "force without admin",
      input: {
        command: { kind: "deploy", env: "staging", dryRun: false, force: true },
        permission: "maintain",
        environment: env(["write"]),
      },
      expected: { ok: false, reason: "force-needs-admin" },
    },
    {
      name: "unknown environment",
      input: { command: { kind: "rollback", env: "qa" }, permission: "admin" },
      expected: { ok: false, reason: "unknown-environment" },
    },
    {
      name: "empty allow list",
      input: {
        command: { kind: "lock", env: "staging" },
        permission: "admin",
        environment: env([]),
      },
      expected: {
        ok: false,
        reason: "insufficient-permission",
        message: "staging allows nobody to run /lock (its allow list is empty).",
      },
    },
    {
      name: "fork author approving themselves",
      input: { command: { kind: "ok-to-test" }, permission: "admin", isForkAuthor: true },
      expected: { ok: false, reason: "self-approval" },
    },
    {
      name: "no access",
      input: { command: { kind: "retest" }, permission: "none" },
      expected: {
        ok: false,
        reason: "insufficient-permission",
        message: "/retest needs write permission or higher; you have none.",
      },
    },
  ] as const)("$name", ({ input, expected }) => {
    const result = authorise(input);

    expect(result).toMatchObject(expected);
  });
});

describe("permission helpers", () => {
  it.each([
    { answer: { role_name: "maintain", permission: "write" }, expected: "maintain" },
    { answer: { role_name: "triage", permission: "read" }, expected: "triage" },
    { answer: { role_name: "security-manager", permission: "write" }, expected: "write" },
    { answer: { role_name: "custom", permission: "none" }, expected: "none" },
    { answer: { permission: "admin" }, expected: "admin" },
    { answer: { role_name: null, permission: null }, expected: "none" },
    { answer: { role_name: "ADMIN" }, expected: "none" },
    { answer: {}, expected: "none" },
  ])("toPermission($answer) → $expected", ({ answer, expected }) => {
    const result = toPermission(answer);

    expect(result).toBe(expected);
  });

  it.each([
    { allow: ["write"] as Permission[], expected: "write" },
    { allow: ["admin", "read", "write"] as Permission[], expected: "read" },
    { allow: [] as Permission[], expected: undefined },
  ])("requiredPermission($allow) → $expected", ({ allow, expected }) => {
    const result = requiredPermission(allow);

    expect(result).toBe(expected);
  });

  it.each([
    { have: "none", need: "read", expected: false },
    { have: "read", need: "read", expected: true },
    { have: "triage", need: "write", expected: false },
    { have: "maintain", need: "write", expected: true },
    { have: "admin", need: "admin", expected: true },
  ] as const)("atLeast($have, $need) → $expected", ({ have, need, expected }) => {
    const result = atLeast(have, need);

    expect(result).toBe(expected);
  });
});
