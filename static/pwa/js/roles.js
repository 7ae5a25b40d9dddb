// What a signed-in user's role opens on the phone. The server decides who may do what;
// these only choose which screens to offer. REVIEWER_ROLES mirrors the server's set of
// the same name (issue 13 puts it beside the User model in cslp_forms/models/; today
// cslp_forms/services/review.py): change both together.
const REVIEWER_ROLES = ["supervisor", "admin"];

// Supervisors and administrators: the review queue, completeness, deadlines, dashboard.
export const isReviewer = (me) => REVIEWER_ROLES.includes(me?.role);

// Only an administrator edits the plan's targets (on the dashboard).
export const isAdmin = (me) => me?.role === "admin";
