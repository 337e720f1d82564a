; A thunk cannot forward variadic arguments (canCreateThunkFor): of two
; equal varargs functions mergefunc keeps both bodies unless it can delete
; the one it does not keep, but it redirects that one's calls.
declare void @llvm.va_start.p0(ptr)
declare void @llvm.va_end.p0(ptr)
declare void @vlog(ptr, ptr)

define void @log_a(ptr %fmt, ...) {
  %ap = alloca ptr, align 8
  call void @llvm.va_start.p0(ptr %ap)
  call void @vlog(ptr %fmt, ptr %ap)
  call void @llvm.va_end.p0(ptr %ap)
  ret void
}

; External: kept, its calls go to @log_a.
define void @log_b(ptr %fmt, ...) {
  %ap = alloca ptr, align 8
  call void @llvm.va_start.p0(ptr %ap)
  call void @vlog(ptr %fmt, ptr %ap)
  call void @llvm.va_end.p0(ptr %ap)
  ret void
}

; Internal and only called: deleted.
define internal void @log_c(ptr %fmt, ...) {
  %ap = alloca ptr, align 8
  call void @llvm.va_start.p0(ptr %ap)
  call void @vlog(ptr %fmt, ptr %ap)
  call void @llvm.va_end.p0(ptr %ap)
  ret void
}

; Both linkonce_odr and only called: LLVM 19 deletes the second.
define linkonce_odr void @odr_log_a(ptr %fmt, ...) {
  %ap = alloca ptr, align 8
  call void @llvm.va_start.p0(ptr %ap)
  call void @vlog(ptr %fmt, ptr %ap)
  call void @vlog(ptr %fmt, ptr %ap)
  call void @llvm.va_end.p0(ptr %ap)
  ret void
}

define linkonce_odr void @odr_log_b(ptr %fmt, ...) {
  %ap = alloca ptr, align 8
  call void @llvm.va_start.p0(ptr %ap)
  call void @vlog(ptr %fmt, ptr %ap)
  call void @vlog(ptr %fmt, ptr %ap)
  call void @llvm.va_end.p0(ptr %ap)
  ret void
}

; Their calls end at @log_a and @odr_log_a: merged.
define void @report_a(ptr %s) {
  call void (ptr, ...) @log_b(ptr %s, i32 1)
  call void (ptr, ...) @log_c(ptr %s, i32 2)
  call void (ptr, ...) @odr_log_b(ptr %s)
  ret void
}

define void @report_b(ptr %s) {
  call void (ptr, ...) @log_a(ptr %s, i32 1)
  call void (ptr, ...) @log_a(ptr %s, i32 2)
  call void (ptr, ...) @odr_log_a(ptr %s)
  ret void
}
