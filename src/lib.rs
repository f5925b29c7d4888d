pub use zkwasm_tracer as tracer;
