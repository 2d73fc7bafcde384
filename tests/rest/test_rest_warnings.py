"""Warning headers: parsing as apimachinery does, handed to a handler, logged once each."""

from __future__ import annotations

import logging

from kclient.rest import RESTClient, WarningCollector, WarningHeader, WarningLogger
from kclient.rest.warnings import parse_warning_header, parse_warning_headers
from kclient.testing import APIServer

from rest_helpers import pod


def test_parse_forms() -> None:
    assert parse_warning_header('299 - "hello"') == (WarningHeader(299, "-", "hello"), "")
    w, rest = parse_warning_header(
        '299 kube-apiserver "a \\"quoted\\" text" "Tue, 15 Nov 1994 08:12:31 GMT", '
        '199 - "next"')
    assert w == WarningHeader(299, "kube-apiserver", 'a "quoted" text')
    assert rest == '199 - "next"'
    assert parse_warning_header('299 - "=?utf-8?q?caf=C3=A9?="')[0].text == "café"
    ok, errs = parse_warning_headers(['299 - "one", 299 - "two"', "bogus", '299 - "three"'])
    assert [w.text for w in ok] == ["one", "two", "three"]
    assert len(errs) == 1


def test_malformed() -> None:
    for bad in ('2999 - "x"', '299 "x"', '299 - x', '299 - "unterminated', '299 - "x" junk',
                '299 - "x" "unterminated date', '299 - "bell\x07"'):
        ok, errs = parse_warning_headers([bad])
        assert not ok and errs, bad


def test_logger_deduplicates(caplog: object) -> None:
    handler = WarningLogger()
    with caplog.at_level(logging.WARNING, logger="kclient.rest.warnings"):  # type: ignore
        handler(299, "-", "deprecated API")
        handler(299, "-", "deprecated API")
        handler(199, "-", "not a 299")
        handler(299, "-", "")
    assert [r.getMessage() for r in caplog.records] == ["Warning: deprecated API"]  # type: ignore
    every = WarningLogger(deduplicate=False)
    every(299, "-", "x")
    every(299, "-", "x")
    assert every.count == 2


async def test_server_warnings_reach_the_handler(server: APIServer, caplog: object) -> None:
    collector = WarningCollector()
    bad = pod("a")
    bad["spec"]["bogusField"] = 1
    async with RESTClient(server.config(), warning_handler=collector) as client:
        await client.resource("v1", "pods", namespace="default").create(bad)
    assert collector.warnings and "bogusField" in collector.texts[0]
    assert collector.warnings[0].code == 299
    with caplog.at_level(logging.WARNING, logger="kclient.rest.warnings"):  # type: ignore
        async with RESTClient(server.config()) as client:
            pods = client.resource("v1", "pods", namespace="default")
            for name in ("b", "c"):
                again = pod(name)
                again["spec"]["bogusField"] = 1
                await pods.create(again)
    records = [r for r in caplog.records if r.name == "kclient.rest.warnings"]  # type: ignore
    assert len(records) == 1 and "bogusField" in records[0].getMessage()
