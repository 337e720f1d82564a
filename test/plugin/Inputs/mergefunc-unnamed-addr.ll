; How mergefunc redirects uses decides which callers it merges next. Of an
; unnamed_addr function it replaces every use, its address too, unless
; llvm.used or llvm.compiler.used names it (code LLVM cannot see may use
; the symbol); of any other function only the calls.
@llvm.compiler.used = appending global [1 x ptr] [ptr @kept_b], section "llvm.metadata"

declare void @register(ptr)

define linkonce_odr void @dtor_a(ptr %p) unnamed_addr {
  store i32 0, ptr %p, align 4
  ret void
}

define linkonce_odr void @dtor_b(ptr %p) unnamed_addr {
  store i32 0, ptr %p, align 4
  ret void
}

define linkonce_odr void @named_a(ptr %p) {
  store i32 1, ptr %p, align 4
  ret void
}

define linkonce_odr void @named_b(ptr %p) {
  store i32 1, ptr %p, align 4
  ret void
}

define void @kept_a(ptr %p) unnamed_addr {
  store i32 2, ptr %p, align 4
  ret void
}

define void @kept_b(ptr %p) unnamed_addr {
  store i32 2, ptr %p, align 4
  ret void
}

; @dtor_b's address becomes @dtor_a's: merged.
define void @register_dtor_a() {
  call void @register(ptr @dtor_a)
  ret void
}

define void @register_dtor_b() {
  call void @register(ptr @dtor_b)
  ret void
}

; The addresses stay different.
define void @register_named_a() {
  call void @register(ptr @named_a)
  ret void
}

define void @register_named_b() {
  call void @register(ptr @named_b)
  ret void
}

define void @register_kept_a() {
  call void @register(ptr @kept_a)
  ret void
}

define void @register_kept_b() {
  call void @register(ptr @kept_b)
  ret void
}
