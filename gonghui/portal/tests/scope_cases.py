EXEMPT = {
    "portal:home": "the worker portal: public, and a signed-in worker sees only their own membership",
    "portal:services": "the list of services; no union's rows",
    "portal:me": "the signed-in worker's own record only (filtered by request.user)",
    "portal:large_text": "sets a display cookie",
}
