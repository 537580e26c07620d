"""Secrets are scrubbed from anything a worker sends back (harness/secrets.py)."""

from __future__ import annotations

from kernelwright.harness import secrets


def test_known_values_are_replaced_wherever_they_appear(monkeypatch):
    monkeypatch.setenv("MY_SERVICE_TOKEN", "value-of-the-token-1234")
    secrets.register_secret("loaded-from-config-5678")
    text = "a value-of-the-token-1234 b loaded-from-config-5678 c"
    assert secrets.scrub(text) == "a (redacted) b (redacted) c"


def test_credential_shapes_are_replaced_even_when_unknown():
    text = (
        "key sk-ant-api03-abcdefghijklmnop, gh ghp_abcdefghijklmnopqrstuvwx, "
        "aws AKIAABCDEFGHIJKLMNOP, Authorization: Bearer abc.def.ghi-jkl, "
        'api_key = "hunter2hunter2", -----BEGIN RSA PRIVATE KEY-----\nMIIE\n'
        "-----END RSA PRIVATE KEY-----"
    )
    scrubbed = secrets.scrub(text)
    for leaked in ("sk-ant-api03", "ghp_abc", "AKIAABCD", "abc.def.ghi", "hunter2", "MIIE"):
        assert leaked not in scrubbed
    assert "Authorization: Bearer (redacted)" in scrubbed and "api_key = (redacted)" in scrubbed


def test_ordinary_text_is_left_alone():
    text = (
        "RuntimeError: shape mismatch (4, 1024) vs (4, 1000); max abs 1.2e-03; "
        "BLOCK_R=1024 num_warps=8; rows per SM 132"
    )
    assert secrets.scrub(text) == text


def test_nested_payloads_are_scrubbed(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-the-real-key-000000000000")
    payload = {
        "message": "got sk-the-real-key-000000000000",
        "flags": ["x sk-the-real-key-000000000000"],
        "timing": {"median_ms": 1.5},
    }
    clean = secrets.scrub_data(payload)
    assert clean == {
        "message": "got (redacted)",
        "flags": ["x (redacted)"],
        "timing": {"median_ms": 1.5},
    }


def test_config_file_keys_count_as_known(monkeypatch, isolated_xdg):
    folder = isolated_xdg / "xdg_config_home" / "kernelwright"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('[claude]\napi_key = "a-key-from-the-file-999"\n')
    assert secrets.scrub("leak: a-key-from-the-file-999") == "leak: (redacted)"
