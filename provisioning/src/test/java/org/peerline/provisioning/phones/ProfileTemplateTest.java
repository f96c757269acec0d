package org.peerline.provisioning.phones;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileTemplateTest {
    @Test
    void shouldRepeatBlocksAndResolveNamesOutwards() {
        Template t = Template.parse("t", "{{#lines}}\nline ${line.n} of ${mac}:{{#codecs}} ${codec}{{/codecs}}\n"
                + "{{/lines}}\nend\n");
        Context root = new Context().put("mac", "m")
                .section("codecs", List.of(new Context().put("codec", "PCMU"), new Context().put("codec", "G722")))
                .section("lines", List.of(new Context().put("line.n", 1), new Context().put("line.n", 2)));

        assertEquals("line 1 of m: PCMU G722\nline 2 of m: PCMU G722\nend\n", t.render(root, Escaping.CFG));
    }

    @Test
    void shouldDropLinesHoldingOnlyABlockTagOrAComment() {
        Template t = Template.parse("t", "a\n  {{! a comment\n  over two lines }}\n{{#none}}\nhidden\n{{/none}}\n"
                + "  {{#one}}  \nshown\n{{/one}}\nb\n");
        Context root = new Context().optional("none", false, new Context()).optional("one", true, new Context());

        assertEquals("a\nshown\nb\n", t.render(root, Escaping.CFG));
    }

    @Test
    void shouldEscapeXmlAndRefuseControlCharactersWithoutEchoingTheValue() {
        Template t = Template.parse("t", "<a b=\"${v}\">${v}</a>");

        assertEquals("<a b=\"&lt;&amp;&gt;&quot;&apos;\">&lt;&amp;&gt;&quot;&apos;</a>",
                t.render(new Context().put("v", "<&>\"'"), Escaping.XML));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(new Context().put("v", "secret\r\nx"), Escaping.XML));
        assertTrue(e.getMessage().contains("${v}") && e.getMessage().contains("U+000D"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> t.render(new Context().put("v", "a\nb"), Escaping.CFG));
    }

    @Test
    void shouldFailOnAnUnboundName() {
        Template t = Template.parse("t", "x ${missing}");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> t.render(new Context(), Escaping.CFG));
        assertEquals("template t: no value for ${missing}", e.getMessage());
    }

    @Test
    void shouldReportMalformedTemplatesWithTheLine() {
        assertEquals("template t, line 2: {{#a}} is never closed",
                assertThrows(IllegalStateException.class, () -> Template.parse("t", "x\n{{#a}}\n")).getMessage());
        assertEquals("template t, line 1: {{/b}} does not close the open block {{#a}}",
                assertThrows(IllegalStateException.class, () -> Template.parse("t", "{{#a}}{{/b}}")).getMessage());
        assertThrows(IllegalStateException.class, () -> Template.parse("t", "${not closed"));
        assertThrows(IllegalStateException.class, () -> Template.parse("t", "${bad name}"));
        assertThrows(IllegalStateException.class, () -> Template.parse("t", "{{name}}"));
    }

    @Test
    void shouldParseEveryShippedTemplate() {
        for (String name : List.of("yealink.cfg.tmpl", "polycom-master.cfg.tmpl", "polycom-settings.cfg.tmpl",
                "grandstream.xml.tmpl", "cisco-spa.xml.tmpl")) {
            Template.resource(name);
        }
    }
}
