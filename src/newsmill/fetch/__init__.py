"""Fetch stage: URLs to bytes, politely and within limits."""

from newsmill.fetch.browser import render
from newsmill.fetch.client import DEFAULT_USER_AGENT, Fetcher
from newsmill.fetch.robots import RobotsCache
from newsmill.fetch.source import fetch_source

__all__ = ["DEFAULT_USER_AGENT", "Fetcher", "RobotsCache", "fetch_source", "render"]
