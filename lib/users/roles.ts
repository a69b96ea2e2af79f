/** Roles from product.md; the permission table in api.md is expressed with these. */
export const ROLES = ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/** Who may do what, per api.md's role table. Ownership rules (own leads) are checked in the domain. */
export const PERMISSIONS = {
  manageUsers: ['admin'],
  manageCampaigns: ['admin', 'marketing', 'manager'],
  readCampaigns: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  uploadLists: ['admin', 'marketing', 'manager'],
  seeLeads: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  /** Editing a lead's data is working it: whoever may log actions on it (an agent only on its own leads). */
  editLeads: ['admin', 'manager', 'rep', 'sales', 'agent'],
  assignLeads: ['admin', 'manager'],
  logActions: ['admin', 'manager', 'rep', 'sales', 'agent'],
  convertLeads: ['admin', 'manager', 'rep', 'sales'],
  exportLists: ['admin', 'marketing', 'manager', 'rep', 'agent'],
} as const satisfies Record<string, readonly Role[]>;

