/* http_impl.h - lib/http's private helpers shared by its files. */
#ifndef MICA_HTTP_IMPL_H
#define MICA_HTTP_IMPL_H

#include <mica/http.h>
#include <mica/err.h>

/* RFC 9110 5.6.2 tchar. */
bool http_is_tchar(uint8_t c);
/* ASCII case-insensitive equality of s with the NUL-terminated lower-case lit. */
bool http_str_ieq(struct mica_http_str s, const char *lit);
/* Remove leading and trailing spaces and tabs. */
struct mica_http_str http_trim(struct mica_http_str s);
/* Next element of a comma-separated list starting at *pos (empty elements
 * are skipped); false when there are no more. The element is trimmed. */
bool http_list_next(struct mica_http_str list, size_t *pos, struct mica_http_str *elem);
/* 1*DIGIT into *out; false on anything else or a value over 2^62. */
bool http_parse_digits(struct mica_http_str s, uint64_t *out);

/* Parse a complete request head: the request line in [line, line_end) and
 * the header section in [fields, end) (lines ending in LF or CRLF, the
 * last being the empty line). Fills *req (req->error on failure). */
void http_parse_head(const uint8_t *line, const uint8_t *line_end, const uint8_t *fields, const uint8_t *end,
                     struct mica_http_request *req);

#endif
