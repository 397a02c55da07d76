//! Compile-fail tests: each file under `tests/ui/` holds one mistake, and its `.stderr` is the
//! reviewed diagnostic.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/model/*.rs");
    t.compile_fail("tests/ui/foreign_key/*.rs");
    t.compile_fail("tests/ui/managers/*.rs");
    t.compile_fail("tests/ui/prefetch/*.rs");
    t.compile_fail("tests/ui/generic/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
