fn main() {
    let _templates = servey::embed_dir!("no-such-directory");
    let _static = servey::embed_dir!(static_files);
}
