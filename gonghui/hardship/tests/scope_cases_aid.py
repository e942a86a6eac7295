CASES = []
EXEMPT = {}
