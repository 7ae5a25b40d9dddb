// Which screens a role opens (the server decides what it may do). REVIEWER_ROLES mirrors
// cslp_forms/models/users.py (tests/unit/test_client_rules.py checks they agree).
const REVIEWER_ROLES = ["supervisor", "admin"];

export const isReviewer = (me) => REVIEWER_ROLES.includes(me?.role);

// Only an administrator edits the plan's targets.
export const isAdmin = (me) => me?.role === "admin";

// Only the province's administrators publish form versions (the server checks it too).
export const isProvinceAdmin = (me) => me?.role === "admin" && me?.unit?.level === "province";
