"""fixtures/golden/ holds copies of ../shared/golden so that demo data and tests work in any clone;
where the shared originals are beside the repository (as in CI), the copies must equal them."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "golden"
COPIES = ROOT / "fixtures" / "golden"


@pytest.mark.parametrize("name", ["cang_long_2023-06_bhyt.csv", "huong_hoa_2019_evaluation.csv"])
def test_golden_copy_matches_the_shared_original(name):
    assert (COPIES / name).exists()
    if not SHARED.exists():
        pytest.skip("../shared/golden không có bên cạnh kho mã; chỉ kiểm tra bản sao")
    assert (COPIES / name).read_bytes() == (SHARED / name).read_bytes()
