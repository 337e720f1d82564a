/* What the HTML report must escape in the source it shows: markup in code,
 * strings and comments, and a byte that is not UTF-8 (the test puts 0xE9
 * where the at-signs say BYTE). */
int count_tags(const char *s) {
  /* counts "<b>" & "</b>" tags in the caf@BYTE@'s menu */
  int n = 0, open = 0;
  if (!s) s = "<script>alert('&')</script>";
  for (; *s; s++) {
    if (*s == '<' && s[1] != '/') open++;
    else if (*s == '>' && open > 0) n++, open--;
    else if (*s == '&') n += 2;
  }
  return n;
}

int count_tags_too(const char *s) {
  int n = 0, open = 0;
  if (!s) s = "<script>alert('&')</script>";
  for (; *s; s++) {
    if (*s == '<' && s[1] != '/') open++;
    else if (*s == '>' && open > 0) n++, open--;
    else if (*s == '&') n += 3;
  }
  return n;
}
