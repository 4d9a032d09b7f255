"""Fetching a link for a check: public addresses only, pinned, and bounded in time and bytes."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from ipaddress import IPv4Network, IPv6Network, ip_address
from urllib.parse import urlsplit

import httpx

from services.api.config import ApiSettings
from services.api.links.addresses import Unresolvable, is_public_unicast, resolve
from services.api.links.errors import (
    InvalidLink,
    LinkTooLarge,
    LinkTooSlow,
    LinkUnreachable,
    TooManyRedirects,
    UnsafeLink,
)

MAX_REDIRECTS = 5
USER_AGENT = "Deepcatcher/1.0 (AI-image detector; fetches one image per check by link)"
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "image/*, text/html;q=0.9, application/xhtml+xml;q=0.9, */*;q=0.1",
    "Accept-Encoding": "identity, gzip;q=0.5, deflate;q=0.5",
}
REDIRECTS = {301, 302, 303, 307, 308}
PIECE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How long and how much one check by link may fetch, and where."""

    max_bytes: int
    first_byte_s: float
    total_s: float
    private_networks: tuple[IPv4Network | IPv6Network, ...] = ()

    def allows(self, address: str) -> bool:
        """Whether a link may connect to an address: public unicast, or a network allowed."""
        if is_public_unicast(address):
            return True
        ip = ip_address(address)
        return any(ip in network for network in self.private_networks)


def link_limits(settings: ApiSettings) -> FetchLimits:
    """The limits the settings give checks by link."""
    return FetchLimits(
        max_bytes=settings.max_upload_bytes,
        first_byte_s=settings.link_first_byte_timeout_s,
        total_s=settings.link_total_timeout_s,
        private_networks=settings.link_private_networks,
    )


@dataclass(frozen=True, slots=True)
class Fetched:
    """One answer's body as it came, and where it came from after redirects."""

    url: str
    media_type: str
    charset: str | None
    data: bytes


class LinkFetcher:
    """Fetches links for checks; one per app, built in lifespan."""

    def __init__(self, *, limits: FetchLimits) -> None:
        self.limits = limits
        # No proxies from the environment (they would connect elsewhere than the checked
        # address) and no cookie kept from one answer for the next request.
        self.http = httpx.AsyncClient(
            trust_env=False,
            follow_redirects=False,
            headers=HEADERS,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            # Reads wait on the first-byte and total deadlines alone (see `_open` and `_read`).
            timeout=httpx.Timeout(limits.first_byte_s, read=None),
        )

    def deadline(self) -> float:
        """The moment a check starting now must be done fetching."""
        return asyncio.get_running_loop().time() + self.limits.total_s

    async def fetch(self, url: str, *, deadline: float) -> Fetched:
        """The body at a link, following at most five redirects, each checked again."""
        current, seen = parse_link(url), {url}
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._open(current, deadline=deadline)
            try:
                target = _redirect_target(response, current=current)
                if target is None:
                    return await self._read(response, url=current, deadline=deadline)
            finally:
                await response.aclose()
            if str(target) in seen:
                raise TooManyRedirects("The link redirects in a loop.")
            current = target
            seen.add(str(current))
        raise TooManyRedirects(f"The link redirects more than {MAX_REDIRECTS} times.")

    async def aclose(self) -> None:
        """Close the connections."""
        await self.http.aclose()

    async def _open(self, url: httpx.URL, *, deadline: float) -> httpx.Response:
        """Send the request to the address that was checked, whatever DNS says next."""
        address = await self._checked_address(url)
        host = url.raw_host.decode("ascii")
        request = self.http.build_request(
            "GET",
            url.copy_with(host=address),
            headers={"Host": url.netloc.decode("ascii")},
            extensions={"sni_hostname": host},  # TLS checks the certificate against the name
        )
        first_byte = asyncio.get_running_loop().time() + self.limits.first_byte_s
        try:
            async with asyncio.timeout_at(min(deadline, first_byte)):
                return await self.http.send(request, stream=True)
        except TimeoutError as exc:
            raise self._too_slow(deadline) from exc
        except httpx.HTTPError as exc:
            raise LinkUnreachable(f"The link could not be fetched ({_reason(exc)}).") from exc

    async def _checked_address(self, url: httpx.URL) -> str:
        host = url.raw_host.decode("ascii")
        try:
            addresses = await resolve(host=host, port=url.port or _default_port(url))
        except Unresolvable as exc:
            raise LinkUnreachable("The link's host name does not resolve.") from exc
        if not all(map(self.limits.allows, addresses)):
            raise UnsafeLink("The link points at a private or local address, which is not fetched.")
        return addresses[0]

    async def _read(self, response: httpx.Response, *, url: httpx.URL, deadline: float) -> Fetched:
        if not response.is_success:
            raise LinkUnreachable(
                f"The link answered {response.status_code} {response.reason_phrase}.",
                extensions={"upstream_status": response.status_code},
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise self._too_large()
        try:
            async with asyncio.timeout_at(deadline):
                data = await self._body(response)
        except TimeoutError as exc:
            raise self._too_slow(deadline) from exc
        except httpx.HTTPError as exc:
            raise LinkUnreachable(f"The link's answer broke off ({_reason(exc)}).") from exc
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return Fetched(str(url), media_type, response.charset_encoding, data)

    async def _body(self, response: httpx.Response) -> bytes:
        """The body, decompressed a mebibyte at a time, refused as soon as it passes the limit."""
        pieces = _decoder(response.headers.get("content-encoding", "identity"))
        data = bytearray()
        async for chunk in response.aiter_raw():
            for piece in pieces(chunk):
                data += piece
                if len(data) > self.limits.max_bytes:
                    raise self._too_large()
                await asyncio.sleep(0)  # a compressed body must not hold the event loop
        return bytes(data)

    def _too_large(self) -> LinkTooLarge:
        return LinkTooLarge(f"The link's answer is larger than {self.limits.max_bytes} bytes.")

    def _too_slow(self, deadline: float) -> LinkTooSlow:
        if asyncio.get_running_loop().time() >= deadline:
            return LinkTooSlow(f"Fetching the link took longer than {self.limits.total_s:g} s.")
        return LinkTooSlow(f"The link sent nothing within {self.limits.first_byte_s:g} s.")


def parse_link(url: str) -> httpx.URL:
    """A well-formed http(s) link without credentials, or a 422 saying what is wrong."""
    try:
        _ = urlsplit(url.strip()).port  # range-checked, unlike httpx's parser
        parsed = httpx.URL(url.strip())
    except (ValueError, httpx.InvalidURL) as exc:
        raise InvalidLink(f"The link is not a valid address ({exc}).") from exc
    if parsed.scheme not in {"http", "https"} or not parsed.raw_host:
        raise InvalidLink("The link must be an http or https address.")
    if parsed.userinfo:
        raise InvalidLink("Links with a user name or password are not fetched.")
    return parsed.copy_with(fragment=None)


def _redirect_target(response: httpx.Response, *, current: httpx.URL) -> httpx.URL | None:
    location = response.headers.get("location")
    if response.status_code not in REDIRECTS or not location:
        return None
    return parse_link(str(current.join(location)))


def _decoder(encoding: str) -> Callable[[bytes], Iterator[bytes]]:
    """A decoder for the body's content coding, giving at most a mebibyte per piece."""
    encoding = encoding.strip().lower()
    if encoding in {"", "identity"}:
        return lambda chunk: iter((chunk,))
    if encoding not in {"gzip", "x-gzip", "deflate"}:
        raise LinkUnreachable(f"The link's answer is encoded as {encoding!r}, which is not read.")
    inflater = zlib.decompressobj(zlib.MAX_WBITS | (16 if "gzip" in encoding else 0))
    return lambda chunk: _inflated(inflater, chunk)


def _inflated(inflater: zlib._Decompress, chunk: bytes) -> Iterator[bytes]:
    """A compressed chunk's bytes in bounded pieces, so a bomb is counted before it inflates."""
    try:
        yield inflater.decompress(chunk, PIECE)
        while inflater.unconsumed_tail:
            yield inflater.decompress(inflater.unconsumed_tail, PIECE)
    except zlib.error as exc:
        raise LinkUnreachable("The link's compressed answer is corrupt.") from exc


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _reason(exc: httpx.HTTPError) -> str:
    return str(exc) or type(exc).__name__
