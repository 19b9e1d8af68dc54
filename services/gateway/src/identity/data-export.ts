import { Injectable } from '@nestjs/common';
import { DataExportResponse, SUBJECTS } from '@smart-regency/contracts';
import { CallContext, RpcClient } from '@smart-regency/platform';

/**
 * Assembles `GET /me/data-export` from every service that holds data about a person. All of them
 * must answer: a partial export would tell the citizen less than the regency holds, so a service
 * that is down makes the whole export a 503 to retry, never a silent gap.
 */
@Injectable()
export class DataExport {
  constructor(private readonly rpc: RpcClient) {}

  async assemble(call: CallContext): Promise<DataExportResponse> {
    const [identity, permits, complaints, notifications] = await Promise.all([
      this.rpc.send(SUBJECTS.identity.exportMyData, {}, call),
      this.rpc.send(SUBJECTS.permits.exportMyData, {}, call),
      this.rpc.send(SUBJECTS.complaints.exportMyData, {}, call),
      this.rpc.send(SUBJECTS.notifications.exportMyData, {}, call),
    ]);
    return {
      formatVersion: 1,
      exportedAt: new Date().toISOString(),
      userId: identity.profile.id,
      identity,
      permits,
      complaints,
      notifications,
      // Reporting's read models hold counts by agency, category and day: nothing about a person.
      reporting: { personalData: false },
    };
  }
}
