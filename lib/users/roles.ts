/** Roles from product.md; the permission table in api.md is expressed with these. */
export const ROLES = ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Roles that work only their own leads (api.md: "own leads"): they log actions on, edit, convert, hand over and export
 * only the leads they own, and edit only the deals they own. Which of these a role may do at all is PERMISSIONS'.
 */
export const OWN_LEADS_ONLY: readonly Role[] = ['rep', 'sales', 'agent'];
export const worksOwnLeadsOnly = (role: Role): boolean => OWN_LEADS_ONLY.includes(role);

/**
 * Roles that see only the leads they own, and of campaigns only those one of their own leads is a member of, without
 * budget, cost, targets or stakeholders (api.md): the outsourced caller (外注業者).
 */
export const SEES_OWN_LEADS_ONLY: readonly Role[] = ['agent'];
export const seesOwnLeadsOnly = (role: Role): boolean => SEES_OWN_LEADS_ONLY.includes(role);

/** Who may do what, per api.md's role table. Ownership rules (own leads) are checked in the domain. */
export const PERMISSIONS = {
  manageUsers: ['admin'],
  manageCampaigns: ['admin', 'marketing', 'manager'],
  readCampaigns: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  uploadLists: ['admin', 'marketing', 'manager'],
  seeLeads: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  /**
   * One lead by hand (POST /leads: an inbound call, a web inquiry). Not the outsourced caller, who works only the leads
   * it is given; a rep or sales owns the lead it creates (lib/intake/create-lead.ts).
   */
  createLeads: ['admin', 'marketing', 'manager', 'rep', 'sales'],
  /** Editing a lead's data is working it: whoever may log actions on it (an agent only on its own leads). */
  editLeads: ['admin', 'manager', 'rep', 'sales', 'agent'],
  assignLeads: ['admin', 'manager'],
  /** Who may be given leads to work (the owner named in an assignment). */
  ownLeads: ['manager', 'rep', 'sales', 'agent'],
  /** Hand-over (営業引継ぎ): a manager or admin, or the lead's owner (checked in the domain). */
  handOverLeads: ['admin', 'manager', 'rep', 'sales'],
  /** Everyone reads their own notifications. */
  readOwnNotifications: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  /** Everyone reads and sets their own preferences (how the morning digest and the weekly report reach them). */
  keepOwnPreferences: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  logActions: ['admin', 'manager', 'rep', 'sales', 'agent'],
  /** Tasks (ToDo): whoever works leads; whose tasks and on which leads is checked in the domain (lib/tasks/). */
  workTasks: ['admin', 'manager', 'rep', 'sales', 'agent'],
  convertLeads: ['admin', 'manager', 'rep', 'sales'],
  /** Deals and accounts: everyone but the outsourced caller, who sees only the leads it owns. */
  readDeals: ['admin', 'marketing', 'manager', 'rep', 'sales'],
  /** A manager or admin edits any deal; a rep or field-sales user only deals it owns (checked in the domain). */
  editDeals: ['admin', 'manager', 'rep', 'sales'],
  /** Campaign effectiveness (効果測定): the recount is admin-only (checked in the domain). */
  readCampaignMetrics: ['admin', 'marketing', 'manager', 'rep', 'sales'],
  /** Whose actions a caller lists is checked in the domain: anyone's for admin, manager, marketing; else its own. */
  readActions: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  /**
   * The manager's view (GET /stats/activity): anyone's for admins and managers; a rep or sales reads only its own
   * (checked in the domain). Agents and marketing do not read activity statistics.
   */
  readActivityStats: ['admin', 'manager', 'rep', 'sales'],
  /** Every owner's pipeline (GET /stats/pipeline). */
  readPipeline: ['admin', 'manager'],
  /** The choice lists of forms. */
  readSettings: ['admin', 'marketing', 'manager', 'rep', 'sales', 'agent'],
  exportLists: ['admin', 'marketing', 'manager', 'rep', 'agent'],
  /** Erasure on request (個人情報の消去): an admin's decision, never undone. */
  eraseLeads: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

