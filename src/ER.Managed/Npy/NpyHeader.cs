using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace ER.Managed.Npy;

/// <summary>
/// The parsed .npy header dictionary, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// A small recursive-descent parser for the Python literal subset NumPy writes: a dict of
/// quoted keys to quoted strings, True/False, and tuples of non-negative integers.
/// </summary>
internal sealed class NpyHeader
{
    /// <summary>The most dimensions read or written (NumPy allows 64; no file of ours needs more than 2).</summary>
    internal const int MaxRank = 32;

    private NpyHeader(string descr, int[] shape, long elementCount, int itemSize)
    {
        Descr = descr;
        Shape = shape;
        ElementCount = elementCount;
        ItemSize = itemSize;
    }

    internal string Descr { get; }

    internal int[] Shape { get; }

    internal long ElementCount { get; }

    internal int ItemSize { get; }

    internal static NpyHeader Parse(string text)
    {
        var parser = new Parser(text);
        Dictionary<string, object> dictionary = parser.ParseDictionary();
        if (!dictionary.TryGetValue("descr", out object? descrValue) || descrValue is not string descr)
        {
            throw Fail("the header has no 'descr' string", text);
        }

        if (!dictionary.TryGetValue("fortran_order", out object? orderValue) || orderValue is not bool fortranOrder)
        {
            throw Fail("the header has no 'fortran_order' boolean", text);
        }

        if (!dictionary.TryGetValue("shape", out object? shapeValue) || shapeValue is not List<long> shapeList)
        {
            throw Fail("the header has no 'shape' tuple", text);
        }

        int itemSize = descr switch
        {
            "<f4" => 4,
            "<f8" => 8,
            "=f4" when BitConverter.IsLittleEndian => 4,
            "=f8" when BitConverter.IsLittleEndian => 8,
            ">f4" or ">f8" => throw new InvalidDataException($"Unsupported dtype '{descr}': big-endian data are not supported (expected '<f4' or '<f8')."),
            _ => throw new InvalidDataException($"Unsupported dtype '{descr}' (expected '<f4' or '<f8')."),
        };

        if (fortranOrder)
        {
            throw new InvalidDataException("Fortran-order (column-major) arrays are not supported; save with C order (numpy.ascontiguousarray).");
        }

        if (shapeList.Count > MaxRank)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Unsupported shape with {shapeList.Count} dimensions (at most {MaxRank})."));
        }

        // An empty dimension anywhere makes an empty array, however large the others (numpy writes
        // np.zeros((65536, 65536, 0)) as such a header).
        bool empty = shapeList.Contains(0);
        long count = empty ? 0 : 1;
        var shape = new int[shapeList.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            long dimension = shapeList[i];
            if (dimension > Array.MaxLength)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Dimension {dimension} of shape ({string.Join(", ", shapeList)}) is too large."));
            }

            shape[i] = (int)dimension;
            count *= dimension;
            if (count > Array.MaxLength)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Shape ({string.Join(", ", shapeList)}) has more elements than an array can hold ({Array.MaxLength})."));
            }
        }

        return new NpyHeader(descr, shape, count, itemSize);
    }

    private static InvalidDataException Fail(string what, string text) =>
        new($"Malformed .npy header: {what}: {Excerpt(text)}");

    private static string Excerpt(string text)
    {
        string trimmed = text.Trim();
        return trimmed.Length <= 120 ? trimmed : trimmed[..120] + "...";
    }

    private ref struct Parser
    {
        private readonly string _text;
        private int _position;

        internal Parser(string text)
        {
            _text = text;
            _position = 0;
        }

        internal Dictionary<string, object> ParseDictionary()
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            Expect('{');
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('}'))
                {
                    break;
                }

                string key = ParseString();
                Expect(':');
                object value = ParseValue();
                if (!result.TryAdd(key, value))
                {
                    throw Error($"the key '{key}' appears twice");
                }

                SkipWhitespace();
                if (TryConsume(','))
                {
                    continue;
                }

                Expect('}');
                break;
            }

            SkipWhitespace();
            if (_position != _text.Length)
            {
                throw Error("text follows the dictionary");
            }

            return result;
        }

        private object ParseValue()
        {
            SkipWhitespace();
            if (_position >= _text.Length)
            {
                throw Error("a value is missing");
            }

            char c = _text[_position];
            if (c is '\'' or '"')
            {
                return ParseString();
            }

            if (c == '(')
            {
                return ParseTuple();
            }

            if (Matches("True"))
            {
                return true;
            }

            if (Matches("False"))
            {
                return false;
            }

            throw Error($"unexpected '{c}' where a value should be");
        }

        private List<long> ParseTuple()
        {
            Expect('(');
            var items = new List<long>();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(')'))
                {
                    return items;
                }

                items.Add(ParseInteger());
                SkipWhitespace();
                if (TryConsume(','))
                {
                    continue;
                }

                Expect(')');
                return items;
            }
        }

        private long ParseInteger()
        {
            SkipWhitespace();
            int start = _position;
            while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
            {
                _position++;
            }

            // Python 2 era writers append 'L' to longs.
            ReadOnlySpan<char> digits = _text.AsSpan(start, _position - start);
            if (_position < _text.Length && _text[_position] == 'L')
            {
                _position++;
            }

            if (digits.IsEmpty)
            {
                throw Error("a shape entry is not a non-negative integer");
            }

            if (digits.Length > 18 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw Error($"the shape entry {digits} is too large");
            }

            return value;
        }

        private string ParseString()
        {
            SkipWhitespace();
            if (_position >= _text.Length || _text[_position] is not ('\'' or '"'))
            {
                throw Error("a quoted string is expected");
            }

            char quote = _text[_position++];
            int start = _position;
            while (_position < _text.Length && _text[_position] != quote)
            {
                if (_text[_position] == '\\')
                {
                    throw Error("escapes in strings are not supported");
                }

                _position++;
            }

            if (_position >= _text.Length)
            {
                throw Error("a string is not closed");
            }

            return _text[start.._position++];
        }

        private bool Matches(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) == 0)
            {
                _position += word.Length;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            SkipWhitespace();
            if (!TryConsume(c))
            {
                string found = _position < _text.Length ? $"'{_text[_position]}'" : "the end";
                throw Error($"expected '{c}', found {found}");
            }
        }

        private bool TryConsume(char c)
        {
            if (_position < _text.Length && _text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void SkipWhitespace()
        {
            while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
            {
                _position++;
            }
        }

        private readonly InvalidDataException Error(string what) =>
            new(string.Create(CultureInfo.InvariantCulture, $"Malformed .npy header at character {_position}: {what}: {Excerpt(_text)}"));
    }
}
