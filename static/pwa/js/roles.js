// Which screens a role opens (the server decides what it may do). REVIEWER_ROLES mirrors
// the server's set of that name (cslp_forms/models per issue 13): change both together.
const REVIEWER_ROLES = ["supervisor", "admin"];

export const isReviewer = (me) => REVIEWER_ROLES.includes(me?.role);

// Only an administrator edits the plan's targets.
export const isAdmin = (me) => me?.role === "admin";
