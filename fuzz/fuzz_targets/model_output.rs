#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| leadscout_fuzz::model_output(data));
