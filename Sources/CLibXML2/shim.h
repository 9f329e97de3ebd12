#ifndef HELDOUT_CLIBXML2_SHIM_H
#define HELDOUT_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
// Debian builds libxml2 against ICU; its headers clash with Foundation's own ICU module.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>

/// `xmlFree` is a global function pointer, which Swift 6 rejects as not concurrency-safe.
static inline void heldout_xmlFree(void *p) { xmlFree(p); }

/// An external entity loader that loads nothing: no file, no network, whatever the parser options.
static xmlParserInputPtr heldout_noExternalLoader(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL;
}

static inline void heldout_blockExternalEntities(void) {
    xmlSetExternalEntityLoader(heldout_noExternalLoader);
}

static inline const char *heldout_xmlParserVersion(void) { return xmlParserVersion; }

#endif
