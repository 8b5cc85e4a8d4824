package io.starling.broker.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1BMPString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1NumericString;
import org.bouncycastle.asn1.ASN1PrintableString;
import org.bouncycastle.asn1.ASN1T61String;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.ASN1UniversalString;
import org.bouncycastle.asn1.ASN1VisibleString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * A certificate subject as mosquitto turns it into a user name. {@code use_subject_as_username}
 * takes OpenSSL's {@code X509_NAME_print_ex(..., XN_FLAG_RFC2253)}: the RDNs last to first, joined by
 * {@code ,} (and {@code +} inside one RDN), OpenSSL's short attribute names ({@code emailAddress},
 * not {@code EMAILADDRESS} or an OID), and every byte above 0x7F of the UTF-8 value escaped as
 * {@code \XX}. That differs from the JDK's {@code X500Principal.getName(RFC2253)} in enough places
 * (non-ASCII text, e-mail addresses) to break ACL entries written for mosquitto, hence this class.
 * {@code use_identity_as_username} takes the first CN as it stands.
 */
final class DistinguishedNames {
    private static final String CN = "2.5.4.3";
    /** OpenSSL's short names for the attributes seen in certificate subjects; others print as dotted OIDs. */
    private static final Map<String, String> SHORT_NAMES = Map.ofEntries(
            Map.entry(CN, "CN"), Map.entry("2.5.4.4", "SN"), Map.entry("2.5.4.5", "serialNumber"),
            Map.entry("2.5.4.6", "C"), Map.entry("2.5.4.7", "L"), Map.entry("2.5.4.8", "ST"),
            Map.entry("2.5.4.9", "street"), Map.entry("2.5.4.10", "O"), Map.entry("2.5.4.11", "OU"),
            Map.entry("2.5.4.12", "title"), Map.entry("2.5.4.13", "description"),
            Map.entry("2.5.4.15", "businessCategory"), Map.entry("2.5.4.17", "postalCode"),
            Map.entry("2.5.4.41", "name"), Map.entry("2.5.4.42", "GN"), Map.entry("2.5.4.43", "initials"),
            Map.entry("2.5.4.44", "generationQualifier"), Map.entry("2.5.4.46", "dnQualifier"),
            Map.entry("2.5.4.65", "pseudonym"), Map.entry("2.5.4.97", "organizationIdentifier"),
            Map.entry("1.2.840.113549.1.9.1", "emailAddress"), Map.entry("1.2.840.113549.1.9.2", "unstructuredName"),
            Map.entry("0.9.2342.19200300.100.1.1", "UID"), Map.entry("0.9.2342.19200300.100.1.25", "DC"),
            Map.entry("1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL"),
            Map.entry("1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST"),
            Map.entry("1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC"));
    private static final Charset UTF_32BE = Charset.forName("UTF-32BE");
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private DistinguishedNames() {
    }

    /** The value of the subject's first CN, in encoding order as OpenSSL searches; null when there is none. */
    static String commonName(X500Principal subject) {
        for (RDN rdn : X500Name.getInstance(subject.getEncoded()).getRDNs()) {
            for (AttributeTypeAndValue ava : rdn.getTypesAndValues()) {
                if (ava.getType().getId().equals(CN)) {
                    String text = text(ava.getValue());
                    return text != null ? text : ava.getValue().toString();
                }
            }
        }
        return null;
    }

    /** The subject as {@code X509_NAME_print_ex} prints it with {@code XN_FLAG_RFC2253}. */
    static String rfc2253(X500Principal subject) {
        RDN[] rdns = X500Name.getInstance(subject.getEncoded()).getRDNs();
        StringBuilder out = new StringBuilder();
        for (int i = rdns.length - 1; i >= 0; i--) {
            AttributeTypeAndValue[] avas = rdns[i].getTypesAndValues();
            for (int j = avas.length - 1; j >= 0; j--) {
                if (out.length() > 0) {
                    out.append(j == avas.length - 1 ? ',' : '+');
                }
                append(out, avas[j]);
            }
        }
        return out.toString();
    }

    private static void append(StringBuilder out, AttributeTypeAndValue ava) {
        String oid = ava.getType().getId();
        String shortName = SHORT_NAMES.get(oid);
        String text = text(ava.getValue());
        out.append(shortName != null ? shortName : oid).append('=');
        if (shortName == null || text == null) {
            out.append('#').append(HEX.formatHex(der(ava.getValue()))); // XN_FLAG_DUMP_UNKNOWN_FIELDS, STRFLGS_DUMP_DER
        } else {
            escape(out, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The text of a string value, or null when the value is not one of the ASN.1 string types. */
    private static String text(ASN1Encodable value) {
        if (value instanceof ASN1UniversalString universal) {
            return new String(universal.getOctets(), UTF_32BE);
        }
        if (value instanceof ASN1UTF8String || value instanceof ASN1PrintableString || value instanceof ASN1IA5String
                || value instanceof ASN1T61String || value instanceof ASN1BMPString
                || value instanceof ASN1NumericString || value instanceof ASN1VisibleString) {
            return ((org.bouncycastle.asn1.ASN1String) value).getString();
        }
        return null;
    }

    /** OpenSSL's {@code ASN1_STRFLGS_RFC2253} escaping, byte by byte over the UTF-8 form. */
    private static void escape(StringBuilder out, byte[] utf8) {
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xFF;
            boolean first = i == 0;
            boolean last = i == utf8.length - 1;
            if (b > 0x7F || b < 0x20 || b == 0x7F) {
                out.append('\\').append(HEX.toHexDigits((byte) b));
            } else if ("\"+,;<>\\".indexOf(b) >= 0 || b == '#' && first || b == ' ' && (first || last)) {
                out.append('\\').append((char) b);
            } else {
                out.append((char) b);
            }
        }
    }

    private static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
