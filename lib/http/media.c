/* media.c - Content-Type by file extension (the IANA media types of the
 * common web formats; text types carry charset=utf-8), and whether a
 * format is worth compressing (already-compressed formats are not).
 * Shared by the site compiler (tools/sitec) and apps/www's site read
 * from a FAT volume at run time, so both give a file the same type. */
#include <mica/http_site.h>
#include <mica/libc.h>

struct media {
	const char *ext, *type;
	bool compressible;
};

#define TEXT(e, t)                           \
	{                                    \
		e, t "; charset=utf-8", true \
	}
#define DATA(e, t)         \
	{                  \
		e, t, true \
	}
#define PACKED(e, t)        \
	{                   \
		e, t, false \
	}

static const struct media table[] = {
    TEXT("html", "text/html"),
    TEXT("htm", "text/html"),
    TEXT("shtml", "text/html"),
    TEXT("css", "text/css"),
    TEXT("js", "text/javascript"),
    TEXT("mjs", "text/javascript"),
    TEXT("txt", "text/plain"),
    TEXT("text", "text/plain"),
    TEXT("md", "text/markdown"),
    TEXT("csv", "text/csv"),
    TEXT("tsv", "text/tab-separated-values"),
    TEXT("xml", "text/xml"),
    TEXT("ics", "text/calendar"),
    TEXT("vtt", "text/vtt"),
    TEXT("jad", "text/vnd.sun.j2me.app-descriptor"),
    TEXT("wml", "text/vnd.wap.wml"),
    TEXT("htc", "text/x-component"),
    TEXT("mml", "text/mathml"),
    TEXT("json", "application/json"),
    TEXT("map", "application/json"),
    TEXT("jsonld", "application/ld+json"),
    TEXT("webmanifest", "application/manifest+json"),
    TEXT("svg", "image/svg+xml"),
    TEXT("svgz", "image/svg+xml"),
    TEXT("rss", "application/rss+xml"),
    TEXT("atom", "application/atom+xml"),
    TEXT("xhtml", "application/xhtml+xml"),
    TEXT("xsl", "application/xslt+xml"),
    TEXT("xslt", "application/xslt+xml"),
    DATA("wasm", "application/wasm"),
    DATA("pdf", "application/pdf"),
    DATA("ps", "application/postscript"),
    DATA("eps", "application/postscript"),
    DATA("ai", "application/postscript"),
    DATA("rtf", "application/rtf"),
    DATA("bin", "application/octet-stream"),
    DATA("exe", "application/octet-stream"),
    DATA("dll", "application/octet-stream"),
    DATA("iso", "application/octet-stream"),
    DATA("img", "application/octet-stream"),
    DATA("msi", "application/octet-stream"),
    DATA("deb", "application/vnd.debian.binary-package"),
    DATA("ttf", "font/ttf"),
    DATA("otf", "font/otf"),
    DATA("eot", "application/vnd.ms-fontobject"),
    DATA("bmp", "image/bmp"),
    DATA("ico", "image/x-icon"),
    DATA("tif", "image/tiff"),
    DATA("tiff", "image/tiff"),
    DATA("wav", "audio/wav"),
    DATA("doc", "application/msword"),
    DATA("xls", "application/vnd.ms-excel"),
    DATA("ppt", "application/vnd.ms-powerpoint"),
    DATA("tar", "application/x-tar"),
    PACKED("png", "image/png"),
    PACKED("gif", "image/gif"),
    PACKED("jpg", "image/jpeg"),
    PACKED("jpeg", "image/jpeg"),
    PACKED("webp", "image/webp"),
    PACKED("avif", "image/avif"),
    PACKED("apng", "image/apng"),
    PACKED("jxl", "image/jxl"),
    PACKED("heic", "image/heic"),
    PACKED("woff", "font/woff"),
    PACKED("woff2", "font/woff2"),
    PACKED("mp3", "audio/mpeg"),
    PACKED("ogg", "audio/ogg"),
    PACKED("oga", "audio/ogg"),
    PACKED("opus", "audio/ogg"),
    PACKED("m4a", "audio/mp4"),
    PACKED("aac", "audio/aac"),
    PACKED("flac", "audio/flac"),
    PACKED("mp4", "video/mp4"),
    PACKED("m4v", "video/mp4"),
    PACKED("webm", "video/webm"),
    PACKED("ogv", "video/ogg"),
    PACKED("mov", "video/quicktime"),
    PACKED("avi", "video/x-msvideo"),
    PACKED("mkv", "video/x-matroska"),
    PACKED("mpeg", "video/mpeg"),
    PACKED("mpg", "video/mpeg"),
    PACKED("zip", "application/zip"),
    PACKED("gz", "application/gzip"),
    PACKED("tgz", "application/gzip"),
    PACKED("bz2", "application/x-bzip2"),
    PACKED("xz", "application/x-xz"),
    PACKED("zst", "application/zstd"),
    PACKED("7z", "application/x-7z-compressed"),
    PACKED("rar", "application/vnd.rar"),
    PACKED("jar", "application/java-archive"),
    PACKED("apk", "application/vnd.android.package-archive"),
    PACKED("epub", "application/epub+zip"),
    PACKED("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    PACKED("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    PACKED("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    PACKED("odt", "application/vnd.oasis.opendocument.text"),
};

/* Does ext[0, n) equal the lower-case e, ignoring ASCII case? */
static bool ext_is(const char *ext, size_t n, const char *e)
{
	size_t i = 0;
	for (; i < n && e[i]; i++) {
		char c = ext[i] >= 'A' && ext[i] <= 'Z' ? (char)(ext[i] + 32) : ext[i];
		if (c != e[i])
			return false;
	}
	return i == n && !e[i];
}

const char *mica_http_media_type(const char *name, size_t len, bool *compressible)
{
	size_t dot = len;
	for (size_t i = len; i-- > 0 && name[i] != '/';)
		if (name[i] == '.') {
			dot = i;
			break;
		}
	if (dot + 1 < len) {
		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
			if (ext_is(name + dot + 1, len - dot - 1, table[i].ext)) {
				*compressible = table[i].compressible;
				return table[i].type;
			}
		}
	}
	*compressible = true;
	return "application/octet-stream";
}
