// The provider files are built into the library (src/providers.rs): rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../../providers");
}
