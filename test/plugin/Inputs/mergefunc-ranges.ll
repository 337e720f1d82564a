; Constant-range attributes (range on parameters, returns and calls,
; initializes on pointers), which LLVM-C cannot read: mergefunc compares
; their values, so equal ranges merge and different ones do not.
declare i32 @get()

define i32 @param_a(i32 range(i32 0, 10) %x) {
  %y = add i32 %x, 1
  %z = mul i32 %y, 3
  ret i32 %z
}

define i32 @param_b(i32 range(i32 0, 10) %x) {
  %y = add i32 %x, 1
  %z = mul i32 %y, 3
  ret i32 %z
}

define i32 @param_wider(i32 range(i32 0, 20) %x) {
  %y = add i32 %x, 1
  %z = mul i32 %y, 3
  ret i32 %z
}

define i32 @call_a() {
  %v = call range(i32 0, 5) i32 @get()
  %w = add i32 %v, 7
  ret i32 %w
}

define i32 @call_b() {
  %v = call range(i32 0, 5) i32 @get()
  %w = add i32 %v, 7
  ret i32 %w
}

define i32 @call_shifted() {
  %v = call range(i32 1, 5) i32 @get()
  %w = add i32 %v, 7
  ret i32 %w
}

define void @init_a(ptr initializes((0, 4)) %p) {
  store i32 0, ptr %p, align 4
  %q = getelementptr i8, ptr %p, i64 8
  store i32 1, ptr %q, align 4
  ret void
}

define void @init_b(ptr initializes((0, 4)) %p) {
  store i32 0, ptr %p, align 4
  %q = getelementptr i8, ptr %p, i64 8
  store i32 1, ptr %q, align 4
  ret void
}

define void @init_more(ptr initializes((0, 4), (8, 12)) %p) {
  store i32 0, ptr %p, align 4
  %q = getelementptr i8, ptr %p, i64 8
  store i32 1, ptr %q, align 4
  ret void
}
