"""Every answer the API tests get is checked against /api/openapi.json: its status code is
documented for that path and method, and its body is valid against the documented schema
(openapi-core). The document is what phones and other clients are built from; a test that
gets an answer the document does not describe fails, so the two cannot drift apart."""

from __future__ import annotations

import gzip
import json
import os
import re

import brotli
from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.wrappers import Response

from cslp_forms.openapi import build_spec

_SPEC: OpenAPI | None = None


def spec() -> OpenAPI:
    global _SPEC
    if _SPEC is None:
        # RFC 9457's media type is JSON too; openapi-core knows only application/json.
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        _SPEC = OpenAPI.from_dict(build_spec(), config=config)
    return _SPEC


class SchemaViolation(AssertionError):
    pass


class _Request(WerkzeugOpenAPIRequest):
    # The answer is what is checked; the request's body was read by the app already.
    @property
    def body(self) -> bytes:
        return b""


# A compressed answer (the client asked with Accept-Encoding) is checked as it decodes.
DECODERS = {"gzip": gzip.decompress, "br": brotli.decompress}


def _decoded(response):
    encoding = response.headers.get("Content-Encoding")
    if encoding not in DECODERS:
        return response
    headers = [(k, v) for k, v in response.headers if k not in ("Content-Encoding",
                                                                 "Content-Length")]
    return Response(DECODERS[encoding](response.get_data()), status=response.status,
                    headers=headers)


def check(response) -> None:
    request = response.request
    if not request.path.startswith("/api/"):
        return
    try:
        spec().validate_response(_Request(request),
                                 WerkzeugOpenAPIResponse(_decoded(response)))
    except (PathNotFound, OperationNotFound):
        return  # not an API operation (an unknown URL, a method no route has)
    except Exception as exc:  # openapi-core's validation errors
        problem = _describe(exc)
        path = re.sub(r"/[0-9a-f-]{32,64}(?=/|$)", "/{id}", request.path)
        where = f"{request.method} {path} -> {response.status_code}"
        if os.environ.get("OPENAPI_SURVEY"):  # list them all instead of failing
            with open(os.environ["OPENAPI_SURVEY"], "a") as fh:
                fh.write(f"{where}: {problem}\n")
            return
        raise SchemaViolation(f"{where}: {problem}\nbody: "
                              f"{response.get_data(as_text=True)[:400]}") from None


def _describe(exc: Exception) -> str:
    """The innermost reasons, without the whole answer repeated in each."""
    reasons, todo = [], [exc]
    while todo:
        e = todo.pop()
        subs = list(getattr(e, "schema_errors", ()) or ())
        for sub in subs:
            path = "/".join(str(p) for p in sub.absolute_path)
            reasons.append(f"{path or '(top)'}: {sub.message[:200]}")
        if e.__cause__ is not None:
            todo.append(e.__cause__)
        elif not subs:
            reasons.append(f"{type(e).__name__}: {str(e)[:200]}")
    return "; ".join(dict.fromkeys(reasons))


class CheckedClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        check(response)
        return response
