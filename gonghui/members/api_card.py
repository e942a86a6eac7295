from ninja import Router

me_router = Router(tags=["members"])
cards_router = Router(tags=["members"])
