"""Global IDs as the API shows them (resolvers/globalid.encode, which domain may not import)."""
import base64


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
