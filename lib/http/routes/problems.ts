/** Problems that routes of several groups answer alike, declared once. */

/** What a write to a lead erased on request answers. */
export const ERASED_LEAD = { 404: 'No such lead, or one the caller may not see', 410: 'The lead was erased on request (個人情報の消去): it can no longer be changed' } as const;
