fn main() {
    if let Err(err) = orm_codegen::Build::new().file("src/models.rs").generate() {
        eprintln!("{err}");
        std::process::exit(1);
    }
}
