EXEMPT = {
    "console:home": "shows the caller's own grants and counts computed through visible_to(); no rows of others",
}
