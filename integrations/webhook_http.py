"""Posting webhooks over HTTP(S) with httpx: to the address domain/webhooks/address.py checked
(the Host header and TLS's server name stay the URL's host, so certificates are verified as
usual), with one deadline for the whole attempt, no redirects followed, and only the first bytes
of an answer read however large it is."""
import asyncio
import ipaddress

import httpx

from domain.webhooks.address import Target
from domain.webhooks.delivery import HEAD_BYTES, Answer

READ_AT_MOST = 64 * 1024  # then the connection is dropped: a huge answer costs nothing more


class HttpSender:
    def __init__(self) -> None:
        # One connection pool per worker; a connection is keyed by the address it was opened to.
        self.client = httpx.AsyncClient(follow_redirects=False, trust_env=False,
                                        limits=httpx.Limits(max_connections=200, max_keepalive_connections=20))

    async def post(self, target: Target, ip: str, headers: dict[str, str], body: bytes, timeout: float) -> Answer:
        host = f"[{ip}]" if ipaddress.ip_address(ip.split("%")[0]).version == 6 else ip
        url = f"{target.scheme}://{host}:{target.port}{target.path}"
        default_port = 443 if target.scheme == "https" else 80
        sent = dict(headers, host=target.host if target.port == default_port else f"{target.host}:{target.port}")
        sent["user-agent"] = "Portalql-Webhooks/1"
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            async with asyncio.timeout(timeout):
                request = self.client.build_request("POST", url, headers=sent, content=body, extensions=extensions)
                response = await self.client.send(request, stream=True)
                try:
                    head = b""
                    async for chunk in response.aiter_raw():
                        head += chunk
                        if len(head) >= READ_AT_MOST:
                            break
                finally:
                    await response.aclose()
                return Answer(response.status_code, head[:HEAD_BYTES].decode("utf-8", "replace"))
        except TimeoutError:
            return Answer(None, error=f"timeout after {timeout:g} s")
        except httpx.HTTPError as e:
            return Answer(None, error=f"{type(e).__name__}: {str(e)[:150]}")

    async def close(self) -> None:
        await self.client.aclose()
