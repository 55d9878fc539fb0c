"""The offline demo: bundled samples, a loopback server and a ready config."""
