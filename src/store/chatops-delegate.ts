import type { DeploymentRecord, EnvLock } from "../deploy/types.js";
import type { DeployFinishClaim, DeployRun, OpenDeployRun, TestApproval } from "../engine/ports.js";
import type { ChatOpsStore } from "./chatops-rows.js";

/**
 * The ChatOps half of the Store port (migration 2: locks, the deployment mirror, deploy runs,
 * approvals), handed to each adapter's own implementation, so both stores share one delegation.
 */
export abstract class ChatOpsDelegate implements ChatOpsStore {
  protected abstract readonly chatops: ChatOpsStore;

  getLock(repo: string, env: string): Promise<EnvLock | undefined> {
    return this.chatops.getLock(repo, env);
  }

  listLocks(repo: string): Promise<EnvLock[]> {
    return this.chatops.listLocks(repo);
  }

  acquireLock(repo: string, lock: EnvLock): Promise<boolean> {
    return this.chatops.acquireLock(repo, lock);
  }

  releaseLock(repo: string, lock: EnvLock): Promise<boolean> {
    return this.chatops.releaseLock(repo, lock);
  }

  saveDeployments(repo: string, records: readonly DeploymentRecord[]): Promise<void> {
    return this.chatops.saveDeployments(repo, records);
  }

  listDeployments(repo: string, environment?: string): Promise<DeploymentRecord[]> {
    return this.chatops.listDeployments(repo, environment);
  }

  startDeployRun(run: DeployRun, options: { readonly staleBefore: string }): Promise<boolean> {
    return this.chatops.startDeployRun(run, options);
  }

  getDeployRun(repo: string, deploymentId: number): Promise<DeployRun | undefined> {
    return this.chatops.getDeployRun(repo, deploymentId);
  }

  finishDeployRun(repo: string, deploymentId: number, at: string): Promise<void> {
    return this.chatops.finishDeployRun(repo, deploymentId, at);
  }

  listOpenDeployRuns(): Promise<OpenDeployRun[]> {
    return this.chatops.listOpenDeployRuns();
  }

  claimDeployFinish(
    repo: string,
    deploymentId: number,
    claim: DeployFinishClaim,
  ): Promise<boolean> {
    return this.chatops.claimDeployFinish(repo, deploymentId, claim);
  }

  recordApproval(approval: TestApproval): Promise<void> {
    return this.chatops.recordApproval(approval);
  }

  findApproval(repo: string, pr: number, sha: string): Promise<TestApproval | undefined> {
    return this.chatops.findApproval(repo, pr, sha);
  }
}
