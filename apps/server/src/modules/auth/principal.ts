export const MEMBER_ROLES = ["owner", "admin", "manager", "viewer"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** Who is calling: a member through a session cookie or an API token, in one organization. */
export interface Principal {
  memberId: number;
  email: string;
  organizationId: number;
  role: MemberRole;
  via: "session" | "token";
  tokenId?: number;
}

const rank: Record<MemberRole, number> = { viewer: 0, manager: 1, admin: 2, owner: 3 };

/** True when `role` is at least `required` (owner > admin > manager > viewer). */
export const hasRole = (role: MemberRole, required: MemberRole): boolean => rank[role] >= rank[required];
